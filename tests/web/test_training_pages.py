"""The training pages through the test client on a real database, with generated trainees:
who may open what, recording a session from its form to the scores and the knowledge gain,
the audited reveal of an identity, and the certificate PDF."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from civharm.accounts.models import AuditEntry
from civharm.accounts.roles import can
from civharm.training.curriculum import (
    add_module_version,
    add_question,
    create_module,
    create_partner,
    create_unit,
)
from civharm.training.models import (
    ModuleVersion,
    Participant,
    Question,
    Scenario,
    Session,
    TestAttempt,
    TrainingModule,
    TrainingPartner,
    Unit,
)
from civharm.training.services import add_participant, record_attempt, record_session
from civharm.web.training.certificate import certificate_context
from tests.web.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db

TITLE_FR = "Postes de contrôle : fouilles et comportement"
TITLE_EN = "Checkpoints: searches and conduct"
# Generated trainees (no real person): (service number, name, rank).
TRAINEES = [
    ("GEN-4471-TEST", "Awa Généré Diarra", "sergent"),
    ("GEN-9902-TEST", "Boubacar Fictif Traoré", "caporal"),
]


@dataclass
class Curriculum:
    module: TrainingModule
    version: ModuleVersion
    questions: list[Question]
    unit: Unit
    partner: TrainingPartner


def make_curriculum() -> Curriculum:
    """One module (v1) with four two-choice questions whose right answer is "a"."""
    module = create_module(key="checkpoints", title_fr=TITLE_FR, title_en=TITLE_EN, actor="t")
    version = add_module_version(
        module,
        objectives="Stop a vehicle without endangering its passengers\nSearch with respect",
        materials="Guide du poste de contrôle — guide-pc.pdf",
        actor="t",
    )
    questions = [
        add_question(
            module,
            text_fr=f"Question générée {n}",
            text_en=f"Generated question {n}",
            choices=[
                {"key": "a", "fr": "bonne réponse", "en": "right answer"},
                {"key": "b", "fr": "mauvaise réponse", "en": "wrong answer"},
            ],
            correct="a",
            actor="t",
        )
        for n in range(1, 5)
    ]
    unit = create_unit(name="99e Bataillon généré", area_admin1_pcode="ML05", actor="t")
    partner = create_partner(name="Partenaire généré", kind="local", modules=[module], actor="t")
    return Curriculum(module, version, questions, unit, partner)


def answers(curriculum: Curriculum, right: int) -> dict[str, str]:
    """The first `right` questions answered right, the others wrong."""
    return {str(q.pk): ("a" if i < right else "b") for i, q in enumerate(curriculum.questions)}


def make_session(curriculum: Curriculum) -> tuple[Session, list[Participant]]:
    """A session with both generated trainees, pre 1/4 → post 3/4 and pre 2/4 → post 3/4."""
    session = record_session(
        module_version=curriculum.version,
        held_on=date(2024, 3, 12),
        ends_on=date(2024, 3, 14),
        place_name="Sévaré",
        unit=curriculum.unit,
        partner=curriculum.partner,
        trainers="Formatrice Une\nFormateur Deux",
        actor="t",
    )
    people = []
    for (number, name, rank), (pre, post) in zip(TRAINEES, [(1, 3), (2, 3)], strict=True):
        person = add_participant(
            session, service_number=number, name=name, rank=rank, unit=curriculum.unit, actor="t"
        )
        record_attempt(session, person, "pre", answers(curriculum, pre), actor="t")
        record_attempt(session, person, "post", answers(curriculum, post), actor="t")
        people.append(person)
    return session, people


@pytest.fixture
def curriculum() -> Curriculum:
    return make_curriculum()


@pytest.fixture
def recorded(curriculum: Curriculum) -> tuple[Session, list[Participant]]:
    return make_session(curriculum)


def _pages(session: Session, person: Participant) -> dict[str, str]:
    """GET pages -> capability they need."""
    return {
        reverse("web:training"): "view_training",
        reverse("web:training_module", args=[session.module_version.module_id]): "view_training",
        reverse(
            "web:training_module_version_new", args=[session.module_version.module_id]
        ): "manage_training",
        reverse("web:training_partners"): "view_training",
        reverse("web:training_sessions"): "view_training",
        reverse("web:training_session", args=[session.pk]): "view_training",
        reverse("web:training_session_new"): "manage_training",
        reverse("web:training_attempt", args=[session.pk, person.pk, "pre"]): "manage_training",
        reverse("web:training_gain"): "view_training",
        reverse("web:training_scenarios"): "view_training",
        reverse("web:training_scenario_new"): "manage_training",
        reverse("web:training_effect"): "view_training",
    }


@pytest.mark.parametrize("role", ["trainer", "field_researcher", "partner"])
def test_each_page_opens_for_the_roles_allowed_and_no_other(
    role: str, recorded: tuple[Session, list[Participant]]
) -> None:
    session, people = recorded
    client = logged_in(make_user(role))
    for url, capability in _pages(session, people[0]).items():
        status = client.get(url).status_code
        assert status == (200 if can(role, capability) else 403), (role, url, status)
    certificate = reverse("web:training_certificate", args=[session.pk, people[0].pk])
    reveal = reverse("web:training_participant_reveal", args=[session.pk, people[0].pk])
    if role != "trainer":
        assert client.get(certificate).status_code == 403
        assert client.post(reveal).status_code == 403
    if role == "partner":
        add = reverse("web:training_participant_add", args=[session.pk])
        assert client.post(add, {"service_number": "X"}).status_code == 403
        assert client.post(reverse("web:training_attendance", args=[session.pk])).status_code == 403


def test_an_analyst_manages_sessions_but_sees_no_identity(
    recorded: tuple[Session, list[Participant]],
) -> None:
    session, people = recorded
    client = logged_in(make_user("analyst"))
    page = client.get(reverse("web:training_session", args=[session.pk])).content.decode()
    assert people[0].pseudonym in page and "sergeant" in page and "99e Bataillon" in page
    assert TRAINEES[0][0] not in page and TRAINEES[0][1] not in page
    assert "Reveal identity" not in page and "Certificate (PDF)" not in page
    reveal = reverse("web:training_participant_reveal", args=[session.pk, people[0].pk])
    assert client.post(reveal).status_code == 403


def test_a_trainer_records_a_session_its_participants_attendance_and_answers(
    curriculum: Curriculum,
) -> None:
    client = logged_in(make_user("trainer"))
    response = client.post(
        reverse("web:training_session_new"),
        {
            "module_version": curriculum.version.pk,
            "held_on": "2024-05-06",
            "ends_on": "2024-05-07",
            "place_name": "Mopti",
            "admin1_pcode": "ML05",
            "new_unit": "Compagnie générée de test",
            "partner": curriculum.partner.pk,
            "trainers": "Formatrice Une",
        },
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{session.pk}/")
    assert session.unit.name == "Compagnie générée de test" and session.created_by == "trainer-user"
    add = reverse("web:training_participant_add", args=[session.pk])
    for number, name, rank in TRAINEES:
        reply = client.post(
            add, {"service_number": number, "name": name, "rank": rank, "unit": session.unit.pk}
        )
        assert reply.status_code == 302
    first, second = Participant.objects.order_by("pk")
    for person, (pre, post) in ((first, (1, 4)), (second, (2, 3))):
        for kind, right in (("pre", pre), ("post", post)):
            url = reverse("web:training_attempt", args=[session.pk, person.pk, kind])
            form = {f"q{k}": v for k, v in answers(curriculum, right).items()}
            assert client.post(url, form).status_code == 302
    attempt = TestAttempt.objects.get(participant=first, kind="post")
    assert (attempt.score, attempt.max_score) == (4, 4)

    page = client.get(reverse("web:training_session", args=[session.pk])).content.decode()
    assert "1 / 4" in page and "4 / 4" in page and "2 / 4" in page and "3 / 4" in page
    # Gains: 75 and 25 points -> mean 50.0, n = 2.
    assert "+50.0" in page and "n = 2" in page
    assert TRAINEES[0][0] not in page and TRAINEES[0][1] not in page

    # Only the second participant ticked present: the first is now absent.
    listed = [first.pk, second.pk]
    url = reverse("web:training_attendance", args=[session.pk])
    client.post(url, {"listed": listed, "attended": [second.pk]})
    attended = dict(session.attendances.values_list("participant__pseudonym", "attended"))
    assert attended == {first.pseudonym: False, second.pseudonym: True}
    # A page opened before a third participant was added leaves that participant as they are.
    client.post(add, {"service_number": "GEN-0303-TEST", "name": "Trois Généré",
                      "rank": "soldat", "unit": session.unit.pk})  # fmt: skip
    client.post(url, {"listed": listed, "attended": [first.pk, second.pk]})
    assert list(session.attendances.values_list("attended", flat=True)) == [True, True, True]


def test_forms_explain_what_is_missing_and_never_echo_a_service_number(
    recorded: tuple[Session, list[Participant]],
) -> None:
    session, people = recorded
    client = logged_in(make_user("trainer"))
    page = client.post(
        reverse("web:training_session_new"),
        {"module_version": session.module_version.pk, "held_on": "2024-05-07",
         "ends_on": "2024-05-01", "place_name": "Mopti", "trainers": "X"},
    ).content.decode()  # fmt: skip
    assert "Choose the unit trained, or type a new unit&#x27;s name." in page
    assert "The last day cannot come before the first day." in page
    page = client.post(
        reverse("web:training_session_new"),
        {"module_version": session.module_version.pk, "held_on": "1989-12-31",
         "ends_on": "2204-05-01", "place_name": "Mopti", "trainers": "X",
         "unit": session.unit.pk},
    ).content.decode()  # fmt: skip
    assert page.count("Give a day between 1 January 1990 and one year from today.") == 2
    assert Session.objects.count() == 1
    page = client.post(
        reverse("web:training_participant_add", args=[session.pk]),
        {"service_number": "GEN-SECRET-77", "name": "", "rank": "sergent"},
    ).content.decode()
    assert "The participant was not added" in page and "This field is required." in page
    assert "GEN-SECRET-77" not in page
    url = reverse("web:training_attempt", args=[session.pk, people[0].pk, "post"])
    page = client.post(url, {}).content.decode()
    assert "No answer was entered" in page


def test_a_known_number_needs_its_name_and_rewrites_nothing(
    recorded: tuple[Session, list[Participant]],
) -> None:
    """An analyst (no view_participant_identities) types a known number, re-typed."""
    session, people = recorded
    later = record_session(
        module_version=session.module_version, held_on=date(2024, 9, 2),
        unit=session.unit, actor="t",
    )  # fmt: skip
    other_unit = create_unit(name="12e Compagnie générée", actor="t")
    client = logged_in(make_user("analyst"))
    add = reverse("web:training_participant_add", args=[later.pk])
    typed = {"service_number": " gen 4471 test", "rank": "adjudant", "unit": other_unit.pk}
    page = client.post(add, typed | {"name": "Quelqu'un Dautre"}).content.decode()
    assert "This service number is recorded under another name" in page
    assert TRAINEES[0][1] not in page and "Dautre" not in page and people[0].pseudonym not in page
    assert not later.attendances.exists()

    reply = client.post(add, typed | {"name": "awa genere DIARRA"}, follow=True)
    shown = [str(message) for message in reply.context["messages"]]
    assert shown == ["Participant added to the session."]  # no pseudonym in the reply
    people[0].refresh_from_db()
    assert (people[0].rank, people[0].unit) == ("sergent", session.unit)  # not overwritten
    enrolled = later.attendances.get()
    assert (enrolled.participant, enrolled.rank, enrolled.unit) == (
        people[0],
        "adjudant",
        other_unit,
    )
    lookups = AuditEntry.objects.filter(action="lookup").order_by("id")
    assert [(e.object_id, e.details["outcome"]) for e in lookups] == [
        (str(people[0].pk), "name_differs"),
        (str(people[0].pk), "matched"),
    ]
    page = client.post(add, typed | {"name": TRAINEES[0][1]}).content.decode()
    assert "This participant is already registered for the session." in page
    with translation.override("en"):  # the certificate prints the rank and unit of that session
        texts = certificate_context(later, enrolled, ("N-1", "X"), "en")["texts"]
        first = certificate_context(session, session.attendances.get(participant=people[0]),
                                    ("N-1", "X"), "en")["texts"]  # fmt: skip
    assert texts["identity"] == "Warrant officer, service number N-1, 12e Compagnie générée"
    assert first["identity"] == "Sergeant, service number N-1, 99e Bataillon généré"


def test_revealing_an_identity_shows_it_once_and_is_audited(
    recorded: tuple[Session, list[Participant]],
) -> None:
    session, people = recorded
    client = logged_in(make_user("trainer"))
    reveal = reverse("web:training_participant_reveal", args=[session.pk, people[1].pk])
    page = client.post(reveal).content.decode()
    assert TRAINEES[1][1] in page and _shows_number(TRAINEES[1][0], page)
    assert TRAINEES[0][1] not in page  # only the one asked for
    entry = AuditEntry.objects.filter(action="read", object_type="TrainingParticipant").get()
    assert entry.actor == "trainer-user" and entry.object_id == str(people[1].pk)
    again = client.get(reverse("web:training_session", args=[session.pk])).content.decode()
    assert TRAINEES[1][1] not in again


def test_the_gain_page_shows_hand_computed_figures(
    recorded: tuple[Session, list[Participant]],
) -> None:
    page = logged_in(make_user("field_researcher")).get(reverse("web:training_gain"))
    text = page.content.decode()
    # Pre 25% and 50% (mean 37.5), post 75% and 75%, gains 50 and 25: mean 37.5 points;
    # sd 17.68, t(0.975, 1) = 12.71: 37.5 ± 158.8 -> −121.3 to +196.3.
    assert "37.5%" in text and "75.0%" in text and "+37.5" in text
    assert "−121.3 to +196.3" in text
    assert TITLE_EN in text and "99e Bataillon généré" in text and "FOR-" in text
    for person in recorded[1]:
        assert person.pseudonym not in text


def test_a_group_of_one_has_no_interval_and_says_why(curriculum: Curriculum) -> None:
    _session, people = make_session(curriculum)
    TestAttempt.objects.filter(participant=people[1]).delete()
    text = logged_in(make_user("analyst")).get(reverse("web:training_gain")).content.decode()
    assert "fewer than two participants with both a pre- and a post-test" in text


def _shows_number(number: str, text: str) -> bool:
    """The service number as typed or as stored (separators dropped, upper case)."""
    return number in text or number.replace("-", "") in text


def _pdf_tools() -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("!!! pdftotext (Debian poppler-utils) not found: run .ci/pdf.sh as root")
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"!!! WeasyPrint cannot load (Pango missing? run .ci/pdf.sh as root): {error}")


def pdf_text(pdf: bytes, folder: Path) -> str:
    path = folder / "certificate.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_certificate_is_a_pdf_naming_the_participant_and_audited(
    language: str, recorded: tuple[Session, list[Participant]], tmp_path: Path
) -> None:
    _pdf_tools()
    session, people = recorded
    client = logged_in(make_user("trainer"))
    client.cookies["django_language"] = language
    url = reverse("web:training_certificate", args=[session.pk, people[0].pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert TRAINEES[0][1] not in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert (TITLE_FR if language == "fr" else TITLE_EN) in text
    assert TRAINEES[0][1] in text and _shows_number(TRAINEES[0][0], text)
    assert "Partenaire généré" in text and "Formatrice Une" in text
    assert f"{session.code}-{people[0].pseudonym}" in text
    exports = AuditEntry.objects.filter(action="export", object_type="TrainingCertificate")
    assert exports.get().details["certificate"] == f"{session.code}-{people[0].pseudonym}"
    assert AuditEntry.objects.filter(action="read", object_type="TrainingParticipant").count() == 1


def test_an_absent_participant_gets_no_certificate(
    recorded: tuple[Session, list[Participant]],
) -> None:
    session, people = recorded
    session.attendances.filter(participant=people[0]).update(attended=False)
    client = logged_in(make_user("trainer"))
    response = client.get(reverse("web:training_certificate", args=[session.pk, people[0].pk]))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(object_type="TrainingCertificate").exists()


def test_a_new_version_of_a_module_keeps_the_old_one(curriculum: Curriculum) -> None:
    client = logged_in(make_user("trainer"))
    url = reverse("web:training_module_version_new", args=[curriculum.module.pk])
    assert "This field is required." in client.post(url, {"objectives": ""}).content.decode()
    response = client.post(url, {"objectives": "New objective", "materials": "", "notes": "v2"})
    assert response.status_code == 302
    assert list(curriculum.module.versions.values_list("version", flat=True)) == [2, 1]
    page = client.get(reverse("web:training_module", args=[curriculum.module.pk])).content.decode()
    assert "New objective" in page and "Search with respect" in page


def test_a_scenario_is_built_from_the_form(curriculum: Curriculum) -> None:
    """Whole years; a second scenario whose period overlaps the first without being the same
    is refused with the reason (subtracting the two would reveal the years that differ)."""
    client = logged_in(make_user("trainer"))
    url = reverse("web:training_scenario_new")
    asked = {"module": curriculum.module.pk, "region_pcode": "ML05", "context": "checkpoint",
             "first_year": "2022", "last_year": "2023"}  # fmt: skip
    response = client.post(url, asked)
    scenario = Scenario.objects.get()
    assert response.status_code == 302 and scenario.built_by == "trainer-user"
    assert (scenario.period_from, scenario.period_to) == (date(2022, 1, 1), date(2023, 12, 31))
    page = client.get(reverse("web:training_scenarios")).content.decode()
    assert scenario.title in page and "2022 – 2023" in page
    refused = client.post(url, {**asked, "first_year": "2023", "last_year": "2024"})
    assert refused.status_code == 200 and Scenario.objects.count() == 1
    assert 'class="errorlist"' in refused.content.decode()
    assert "2022–2023" in refused.content.decode()
    backwards = client.post(url, {**asked, "first_year": "2024", "last_year": "2022"})
    assert "The end of the period cannot come before its start." in backwards.content.decode()


def test_the_effect_page_reports_each_partner_with_its_caveats(
    recorded: tuple[Session, list[Participant]],
) -> None:
    _session, _people = recorded
    client = logged_in(make_user("analyst"))
    text = client.get(reverse("web:training_effect")).content.decode()
    assert "Partenaire généré" in text and "All partners together" in text
    assert "parallel trends" in text  # the caveats are shown, in plain words
    # The generated unit has no area of operations: no estimate, and the page says why.
    assert "effect-none" in text and "units without a recorded area" in text
    url = reverse("web:training_effect")
    text = client.get(url, {"year_from": "2024", "year_to": "2023"}).content
    assert "The end of the period cannot come before its start." in text.decode()
    # Whole years only, 1990 to this year: a day cannot be chosen.
    assert client.get(url, {"year_from": "1989"}).context["form"].errors["year_from"]
    next_year = str(date.today().year + 1)
    assert client.get(url, {"year_to": next_year}).context["form"].errors["year_to"]
    assert client.get(url, {"year_to": "2024-03-12"}).context["form"].errors["year_to"]
    text = client.get(url, {"year_from": "2024", "year_to": "2024"}).content.decode()
    assert "<h2>Partenaire généré</h2>" in text
    later = client.get(url, {"year_from": "2025"}).content.decode()
    assert "<h2>Partenaire généré</h2>" not in later
