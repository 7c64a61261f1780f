"""The research pages through the test client on a real database, with invented people: who may
open what, the audited narrative, coding, quotes, withdrawal of consent, consultations, the
codebook, agreement and disclosure-controlled findings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civharm.accounts.models import AuditEntry
from civharm.advocacy.models import Brief
from civharm.research.models import CodedExcerpt, FollowUp, Interview, Quote, Theme
from civharm.research.services import (
    InterviewInput,
    add_coded_excerpt,
    approve_quote,
    propose_quote,
    record_interview,
)
from civharm.web.research.findings_release import forget_findings_release
from tests.web.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db

NAME = "Mariam Testdata-Kouyaté"  # invented
NARRATIVE = (
    "Les hommes armés sont venus au marché.\n"
    "Nous avons fui vers Sévaré. Nous avons besoin de nourriture pour les enfants."
)
NEED = "Nous avons besoin de nourriture"


def _interview(**changes: object) -> Interview:
    values: dict[str, object] = {
        "interviewed_on": date(2025, 3, 14),
        "interviewer": "field-user",
        "admin1_pcode": "ML05",
        "name": NAME,
        "contact": "+223 70 00 00 01",
        "sex": "female",
        "age_band": "18-29",
        "narrative": NARRATIVE,
        "harms": ["killed"],
        "for_publication": True,
    }
    values.update(changes)
    return record_interview(InterviewInput(**values), actor="field-user")  # type: ignore[arg-type]


def _client(role: str, username: str | None = None) -> Client:
    return logged_in(make_user(role, username))


def _show_narrative(client: Client, interview: Interview) -> None:
    response = client.post(reverse("web:interview_narrative", args=[interview.pk]))
    assert response.status_code == 302


@pytest.fixture(autouse=True)
def _fresh_findings_release() -> Iterator[None]:
    """The whole-corpus release is cached per process: each test's database is new."""
    forget_findings_release()
    yield
    forget_findings_release()


@pytest.fixture
def interview() -> Interview:
    return _interview()


@pytest.fixture
def analyst() -> Client:
    return _client("analyst")


PAGES = [
    # (url name, needs an object, a role allowed, a role refused)
    ("web:interviews", None, "field_researcher", "advocacy_officer"),
    ("web:interview", "interview", "analyst", "trainer"),
    ("web:interview_new", None, "field_researcher", "trainer"),
    ("web:consultations", None, "analyst", "partner"),
    ("web:consultation", "consultation", "field_researcher", "assistance_officer"),
    ("web:consultation_new", None, "field_researcher", "advocacy_officer"),
    ("web:codebook", None, "analyst", "partner"),
    ("web:agreement", None, "administrator", "trainer"),
    ("web:quotes", None, "advocacy_officer", "field_researcher"),
    ("web:findings", None, "trainer", "partner"),
]


@pytest.mark.parametrize(("name", "needs", "allowed", "refused"), PAGES)
def test_each_page_opens_for_its_roles_and_refuses_the_others(
    name: str, needs: str | None, allowed: str, refused: str, interview: Interview
) -> None:
    from civharm.research.models import StakeholderConsultation

    args = []
    if needs == "interview":
        args = [interview.pk]
    elif needs == "consultation":
        consultation = StakeholderConsultation.objects.create(
            held_on=date(2025, 1, 2), kind="un", recorded_by="x"
        )
        args = [consultation.pk]
    url = reverse(name, args=args)
    response = _client(allowed).get(url)
    assert response.status_code == 200
    assert NAME not in response.content.decode()
    assert _client(refused).get(url).status_code == 403


def test_interview_list_shows_pseudonyms_filters_and_marks_withdrawn(analyst: Client) -> None:
    mopti = _interview()
    segou = _interview(admin1_pcode="ML04", language="bm")
    segou.interviewee.withdrawn_at = timezone.now()
    segou.interviewee.save()
    page = analyst.get(reverse("web:interviews")).content.decode()
    assert mopti.interviewee.pseudonym in page and segou.interviewee.pseudonym in page
    assert NAME not in page
    assert 'class="withdrawn"' in page and "consent withdrawn" in page
    only_bambara = analyst.get(reverse("web:interviews"), {"language": "bm"}).content.decode()
    assert segou.code in only_bambara and mopti.code not in only_bambara
    only_mopti = analyst.get(reverse("web:interviews"), {"region": "ML05"}).content.decode()
    assert mopti.code in only_mopti and segou.code not in only_mopti
    recent = analyst.get(reverse("web:interviews"), {"period": "30"}).content.decode()
    assert 'id="no-interview"' in recent  # both were interviewed in March 2025


def test_the_narrative_is_shown_only_after_the_audited_action(
    analyst: Client, interview: Interview
) -> None:
    url = reverse("web:interview", args=[interview.pk])
    before = analyst.get(url).content.decode()
    assert "Sévaré" not in before and 'id="show-narrative"' in before
    assert not AuditEntry.objects.filter(action="read", object_id=str(interview.pk)).exists()
    assert analyst.get(reverse("web:interview_narrative", args=[interview.pk])).status_code == 405

    _show_narrative(analyst, interview)
    after = analyst.get(url).content.decode()
    assert "Sévaré" in after and NAME not in after
    reading = AuditEntry.objects.get(action="read", object_id=str(interview.pk))
    assert reading.actor == "analyst-user" and reading.fields == ["narrative"]

    analyst.post(reverse("web:interview_narrative", args=[interview.pk]), {"hide": "1"})
    assert "Sévaré" not in analyst.get(url).content.decode()


def test_coding_a_selected_passage_creates_an_excerpt_and_highlights_it(
    analyst: Client, interview: Interview
) -> None:
    _show_narrative(analyst, interview)
    start = NARRATIVE.index(NEED)
    response = analyst.post(
        reverse("web:interview_code", args=[interview.pk]),
        {"theme": "need_food", "start": start, "end": start + len(NEED), "passage": NEED},
    )
    assert response.status_code == 302
    excerpt = CodedExcerpt.objects.get(interview=interview)
    assert (excerpt.theme.key, excerpt.coder) == ("need_food", "analyst-user")
    assert NARRATIVE[excerpt.start : excerpt.end] == NEED
    page = analyst.get(reverse("web:interview", args=[interview.pk])).content.decode()
    assert f'<mark class="coded" data-start="{start}"' in page


def test_a_quoted_passage_is_found_in_the_narrative_whatever_its_spacing(
    analyst: Client, interview: Interview
) -> None:
    _show_narrative(analyst, interview)
    url = reverse("web:interview_code", args=[interview.pk])
    pasted = "marché. Nous avons   fui"  # the line break lost when copying
    assert (
        analyst.post(url, {"theme": "displacement_experience", "passage": pasted}).status_code
        == 302
    )
    excerpt = CodedExcerpt.objects.get(interview=interview)
    assert NARRATIVE[excerpt.start : excerpt.end] == "marché.\nNous avons fui"

    missing = analyst.post(url, {"theme": "need_food", "passage": "Ces mots manquent"})
    assert missing.status_code == 200
    assert "This passage is not in the narrative" in missing.content.decode()
    assert CodedExcerpt.objects.filter(interview=interview).count() == 1


def test_coding_needs_the_narrative_shown_and_the_capability(interview: Interview) -> None:
    url = reverse("web:interview_code", args=[interview.pk])
    data = {"theme": "need_food", "passage": NEED}
    analyst = _client("analyst")
    assert analyst.post(url, data).status_code == 302  # refused with a message: not shown yet
    assert not CodedExcerpt.objects.exists()
    assert _client("field_researcher").post(url, data).status_code == 403


def test_a_new_interview_is_recorded_and_its_name_never_shown_back() -> None:
    client = _client("field_researcher")
    form = {
        "interviewed_on": "2025-04-02",
        "admin1_pcode": "ML05",
        "language": "ff",
        "name": NAME,
        "sex": "male",
        "age_band": "30-44",
        "displacement_status": "displaced",
        "narrative": NARRATIVE,
        "harms": ["killed"],
        "legal_basis": "consent",
        "method": "oral_witnessed",
    }
    refused = client.post(reverse("web:interview_new"), form)  # consent to research missing
    assert refused.status_code == 200 and NAME not in refused.content.decode()
    assert not Interview.objects.exists()

    response = client.post(
        reverse("web:interview_new"), {**form, "for_research": "on"}, follow=True
    )
    interview = Interview.objects.get()
    page = response.content.decode()
    assert interview.interviewee.pseudonym in page and NAME not in page
    assert NAME not in interview.interviewee.name_encrypted
    assert (interview.language, interview.admin1_name, interview.consent.for_research) == (
        "ff",
        "Mopti",
        True,
    )


def test_a_follow_up_interview_names_an_existing_interviewee_by_pseudonym(
    interview: Interview,
) -> None:
    client = _client("field_researcher")
    form = {
        "interviewed_on": "2025-06-02",
        "admin1_pcode": "ML05",
        "language": "fr",
        "legal_basis": "consent",
        "method": "oral_witnessed",
        "for_research": "on",
    }
    page = client.get(reverse("web:interview_new")).content.decode()
    assert 'name="interviewee_pseudonym"' in page
    pseudonym = interview.interviewee.pseudonym
    response = client.post(
        reverse("web:interview_new"), {**form, "interviewee_pseudonym": pseudonym.lower()}
    )
    assert response.status_code == 302
    follow_up = Interview.objects.exclude(pk=interview.pk).get()
    assert follow_up.interviewee_id == interview.interviewee_id
    assert follow_up.interviewee.sex == "female"  # the stored identity is kept, not reset

    unknown = client.post(
        reverse("web:interview_new"), {**form, "interviewee_pseudonym": "T-00000-00000"}
    )
    assert unknown.status_code == 200 and "No interviewee has this pseudonym." in (
        unknown.content.decode()
    )
    other = client.post(
        reverse("web:interview_new"),
        {**form, "interviewee_pseudonym": pseudonym, "name": "Awa Autre-Personne"},
    )
    assert other.status_code == 200 and "Awa Autre-Personne" not in other.content.decode()
    assert Interview.objects.count() == 2


def test_a_quote_is_proposed_read_audited_approved_and_published_under_its_own_name(
    analyst: Client, interview: Interview
) -> None:
    excerpt = add_coded_excerpt(
        interview, Theme.objects.get(key="need_food"), 40, 60, coder="analyst-user"
    )
    _show_narrative(analyst, interview)
    page = analyst.get(reverse("web:interview", args=[interview.pk])).content.decode()
    box = page[page.index('class="quote-form"') :]
    box = box[: box.index("</form>")]
    assert "></textarea>" in box and "placeholder=" in box  # nothing pre-filled
    words = "Nous avons besoin de nourriture pour les enfants."
    analyst.post(
        reverse("web:quote_propose", args=[interview.pk]), {"excerpt": excerpt.pk, "text": words}
    )
    quote = Quote.objects.get()
    assert quote.status == "proposed"

    officer = _client("advocacy_officer")
    assert words in officer.get(reverse("web:quotes")).content.decode()
    reading = AuditEntry.objects.get(action="read", object_type="Quote")
    assert (reading.actor, reading.object_id) == ("advocacy_officer-user", str(quote.pk))
    officer.post(
        reverse("web:quote_approve", args=[quote.pk]), {"decision": "approve", "back": "quotes"}
    )
    quote.refresh_from_db()
    assert (quote.status, quote.approved_by) == ("approved", "advocacy_officer-user")
    findings = _client("trainer").get(reverse("web:findings")).content.decode()
    assert words in findings
    assert f"{quote.published_name} (name changed), Mopti, 2025" in findings
    assert interview.interviewee.pseudonym not in findings and "14/03" not in findings


def test_withdrawing_consent_asks_for_confirmation_then_removes_everything(
    analyst: Client, interview: Interview, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path  # the brief's archived files, if any, are deleted there
    excerpt = add_coded_excerpt(
        interview, Theme.objects.get(key="need_food"), 0, 20, coder="analyst-user"
    )
    quote = propose_quote(interview, "Des mots publiables.", proposer="a", excerpt=excerpt)
    approve_quote(quote, approver="a")
    assert "Des mots publiables." in analyst.get(reverse("web:findings")).content.decode()
    brief = Brief.objects.create(
        region_pcode="ML05", region_name="Mopti", date_from="2025-01-01", date_to="2025-12-31",
        created_by="a", quote_ids=[quote.pk],
    )  # fmt: skip
    _show_narrative(analyst, interview)
    url = reverse("web:interview_withdraw", args=[interview.pk])

    unconfirmed = analyst.post(url, {"reason": "request"})
    assert unconfirmed.status_code == 200
    assert "reason (never a name)" in unconfirmed.content.decode()
    too_long = analyst.post(url, {"confirm": "on", "reason": "x" * 201})
    assert too_long.status_code == 200
    interview.interviewee.refresh_from_db()
    assert interview.interviewee.withdrawn_at is None

    page = analyst.post(url, {"confirm": "on", "reason": "asked by phone"}, follow=True)
    text = page.content.decode()
    assert "Consent withdrawn." in text and 'id="tombstone"' in text
    assert "removed from every page, export and future brief" in text
    assert "Briefs already sent out cannot be recalled: tell their recipients." in text
    assert "1 brief in the archive quoted them and was withdrawn from the archive." in text
    brief.refresh_from_db()
    assert brief.withdrawn_at is not None
    assert "appear in no page" not in text
    assert "Sévaré" not in text and "Des mots publiables." not in text
    assert 'id="show-narrative"' not in text
    findings = analyst.get(reverse("web:findings")).content.decode()
    assert "Des mots publiables." not in findings
    assert interview.interviewee.pseudonym not in findings
    listing = analyst.get(reverse("web:interviews")).content.decode()
    assert "consent withdrawn" in listing
    assert _client("trainer").post(url, {"confirm": "on"}).status_code == 403
    assert not Quote.objects.exists()


def _coded(count: int, theme: str, **changes: object) -> None:
    key = Theme.objects.get(key=theme)
    for _n in range(count):
        interview = _interview(**changes)
        add_coded_excerpt(interview, key, 0, 10, coder="analyst-user")


FINDINGS_FILTERS = {"region": "ML05", "from": "2025-03-14", "to": "2025-03-14", "year": "2025"}


def _themes_section(page: str) -> str:
    return page[page.index('id="top-themes"') : page.index('id="quotes"')]


def test_findings_without_interview_access_are_one_fixed_release_of_the_whole_corpus() -> None:
    _coded(6, "need_food")
    _coded(2, "gap_no_early_warning")
    _coded(5, "need_food", admin1_pcode="ML04", interviewed_on=date(2024, 8, 2))
    trainer = _client("trainer")
    page = trainer.get(reverse("web:findings")).content.decode()
    top = page[page.index('id="theme-need_food"') :]
    assert "<strong>11</strong>" in top[: top.index("</tr>")]
    gap = page[page.index('id="theme-gap_no_early_warning"') :]
    assert "<strong>—</strong>" in gap[: gap.index("</tr>")]
    assert 'id="disclosure-note"' in page and 'id="one-release"' in page
    by_year = page[page.index('id="year-need_food"') :]
    assert ">5<" in by_year[: by_year.index("</tr>")] and ">6<" in by_year[: by_year.index("</tr>")]
    needs = page[page.index('id="needs"') : page.index('id="protection-gaps"')]
    assert Theme.objects.get(key="need_food").label_en in needs and "(11)" in needs
    # No filter: any address gives the same release (nothing to subtract), and no form.
    filtered = trainer.get(reverse("web:findings"), FINDINGS_FILTERS).content.decode()
    assert _themes_section(filtered) == _themes_section(page)
    assert 'name="region"' not in page and 'type="date"' not in page


def test_the_fixed_release_follows_changes_to_the_research_data() -> None:
    _coded(5, "need_food")
    trainer = _client("trainer")
    assert "<strong>5</strong>" in trainer.get(reverse("web:findings")).content.decode()
    _coded(1, "need_food")
    assert "<strong>6</strong>" in trainer.get(reverse("web:findings")).content.decode()


def test_interview_readers_filter_by_whole_region_year_or_quarter_never_by_day() -> None:
    _coded(6, "need_food")  # all interviewed on 14 March 2025
    analyst = _client("analyst", "a2")
    page = analyst.get(reverse("web:findings")).content.decode()
    assert 'name="year"' in page and 'name="quarter"' in page and 'type="date"' not in page

    def shows_food(**query: str) -> bool:
        found = analyst.get(reverse("web:findings"), query).content.decode()
        return 'id="theme-need_food"' in found

    assert shows_food(region="ML05", year="2025", quarter="1")
    assert not shows_food(region="ML01")
    assert not shows_food(year="2025", quarter="2")
    assert shows_food(**{"from": "2025-04-01", "to": "2025-12-31"})  # day dates are ignored
    no_year = analyst.get(reverse("web:findings"), {"quarter": "1"}).content.decode()
    assert "Choose the year of the quarter." in no_year


def test_a_quarter_is_its_first_to_its_last_day() -> None:
    from civharm.web.research.forms import FindingsFilterForm

    form = FindingsFilterForm({"year": "2024", "quarter": "4"}, years=[2024])
    assert form.period() == (date(2024, 10, 1), date(2024, 12, 31))
    form = FindingsFilterForm({"year": "2024", "quarter": "1"}, years=[2024])
    assert form.period() == (date(2024, 1, 1), date(2024, 3, 31))
    assert FindingsFilterForm({"year": "2024"}, years=[2024]).period()[1] == date(2024, 12, 31)


def test_consultations_follow_ups_and_overdue_ones() -> None:
    client = _client("field_researcher")
    response = client.post(
        reverse("web:consultation_new"),
        {
            "held_on": "2025-02-01",
            "kind": "traditional_leader",
            "organisation": "Chefferie",
            "admin1_pcode": "ML05",
            "points_raised": "Accès aux champs.",
        },
    )
    assert response.status_code == 302
    detail = response["Location"]
    from civharm.research.models import StakeholderConsultation

    consultation = StakeholderConsultation.objects.get()
    assert consultation.admin1_name == "Mopti"
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    add = reverse("web:consultation_followup", args=[consultation.pk])
    client.post(add, {"action": "Écrire au préfet", "owner": "équipe", "due_on": past})
    page = client.get(detail).content.decode()
    assert "Écrire au préfet" in page and 'class="overdue"' in page
    assert "1 overdue" in client.get(reverse("web:consultations")).content.decode()
    follow_up = FollowUp.objects.get()
    client.post(reverse("web:followup_done", args=[follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.done_on == timezone.localdate()
    assert 'class="overdue"' not in client.get(detail).content.decode()


def test_analysts_extend_the_codebook_and_others_cannot(analyst: Client) -> None:
    theme = {
        "key": "fear_of_return",
        "label_fr": "Peur du retour",
        "label_en": "Fear of return",
        "group": "fears",
    }
    assert analyst.post(reverse("web:codebook"), theme).status_code == 302
    assert Theme.objects.get(key="fear_of_return").created_by == "analyst-user"
    assert "Fear of return" in analyst.get(reverse("web:codebook")).content.decode()
    again = analyst.post(reverse("web:codebook"), theme)
    assert again.status_code == 200 and "already has a theme" in again.content.decode()
    refused = _client("field_researcher").post(reverse("web:codebook"), {**theme, "key": "x"})
    assert refused.status_code == 403


def test_agreement_page_gives_kappa_per_double_coded_interview(
    analyst: Client, interview: Interview
) -> None:
    food, shelter = Theme.objects.get(key="need_food"), Theme.objects.get(key="need_shelter")
    add_coded_excerpt(interview, food, 0, 10, coder="coder-a")
    add_coded_excerpt(interview, food, 0, 10, coder="coder-b")
    add_coded_excerpt(interview, shelter, 10, 20, coder="coder-b")
    page = analyst.get(reverse("web:agreement")).content.decode()
    assert f'id="agreement-{interview.pk}"' in page
    assert "How to read it" in page
    # 36 themes: they agree on 35 (food present, 34 absent) and not on shelter:
    # p_o = 35/36, p_e = (1×2 + 35×34)/36², kappa = (p_o − p_e)/(1 − p_e) = 0.654.
    assert 'id="mean-kappa">0.65<' in page
