"""Consent as data: quotes need publication consent, and a withdrawal removes the person's data
from every output while leaving an audited tombstone (end to end, generated people only)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

from civharm.accounts.models import AuditEntry
from civharm.advocacy.briefs import archive_path
from civharm.advocacy.models import Brief
from civharm.research.errors import (
    ConsentWithdrawnError,
    NotAllowedError,
    PublicationNotAllowedError,
)
from civharm.research.models import (
    Attachment,
    AttachmentCustody,
    CodedExcerpt,
    ConsentWithdrawal,
    Interview,
    Quote,
    Theme,
)
from civharm.research.outputs import double_coded_agreement, draw_published_name, first_names
from civharm.research.services import (
    InterviewInput,
    QuoteRevealsIdentityError,
    add_coded_excerpt,
    approve_quote,
    propose_quote,
    published_quotes,
    quote_text,
    record_interview,
    reveal_narrative,
    theme_frequencies,
    withdraw_consent,
)
from tests.research.helpers import NAME, make_interview, make_user

pytestmark = pytest.mark.django_db


def test_quotes_need_consent_to_publication() -> None:
    private = make_interview(for_publication=False)
    with pytest.raises(PublicationNotAllowedError):
        propose_quote(private, "Nous voulons la justice.", proposer="analyst-user")
    public = make_interview()
    quote = propose_quote(public, "Nous voulons la justice.", proposer="analyst-user")
    assert published_quotes() == []  # proposed, not yet approved
    quote = approve_quote(quote, approver="advocacy-user")
    with translation.override("en"):
        [published] = published_quotes()
    assert published == {
        "id": quote.pk,
        "text": "Nous voulons la justice.",
        "pseudonym": quote.published_name,
        "note": "name changed",
        "region": "Mopti",
        "year": 2025,
        "theme": "",
    }
    with translation.override("fr"):
        assert published_quotes()[0]["note"] == "nom modifié"
    assert published_quotes(region_pcode="ML01") == []


def test_published_names_are_first_names_of_the_persons_sex_never_theirs_nor_the_pseudonym() -> (
    None
):
    women = {group[0].capitalize() for group in first_names()["female"]}
    # "Awa" shares a spelling group with "Hawa": that group is never drawn for her
    assert {draw_published_name("female", NAME) for _ in range(60)} <= women - {"Hawa"}
    interview = make_interview(name="Fatoumata Testdata-Diarra")
    names = set()
    for n in range(6):  # each quote its own draw: one person's quotes are not linked by name
        quote = propose_quote(interview, f"Nous voulons la paix {n}.", proposer="a")
        names.add(approve_quote(quote, approver="b").published_name)
    assert names <= women - {"Fatoumata"}
    pseudonyms = {str(q["pseudonym"]) for q in published_quotes()}
    assert pseudonyms == names and interview.interviewee.pseudonym not in pseudonyms


def test_proposed_quotes_are_encrypted_until_approved_and_read_only_through_an_audit() -> None:
    interview = make_interview()
    quote = propose_quote(interview, "Nous voulons rentrer au village.", proposer="a")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, text_encrypted FROM research_quote WHERE id = %s", [quote.pk])
        text, encrypted = cursor.fetchone()
    assert text == "" and encrypted and "village" not in encrypted
    with pytest.raises(NotAllowedError):
        quote_text(quote, user=make_user("partner"))
    assert quote_text(quote, user=make_user("advocacy_officer")) == (
        "Nous voulons rentrer au village."
    )
    read = AuditEntry.objects.get(action="read", object_type="Quote")
    assert read.fields == ["text"] and "village" not in json.dumps(read.details)
    approve_quote(quote, approver="b")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, text_encrypted FROM research_quote WHERE id = %s", [quote.pk])
        assert cursor.fetchone() == ("Nous voulons rentrer au village.", "")  # public now
    rejected = propose_quote(interview, "Autre chose.", proposer="a")
    approve_quote(rejected, approver="b", approve=False)
    rejected.refresh_from_db()
    assert rejected.text == "" and rejected.text_encrypted  # never published, still encrypted


@pytest.mark.parametrize(
    "text",
    [
        "Je suis Awa, et nous avons fui.",  # a part of the name, any case
        "Nous avons fui, dit TRAORE.",  # without its accent
        "Appelez le 70 00 00 00.",  # the contact, spaced otherwise
        "La communauté test a tout perdu.",  # the community
    ],
)
def test_approval_refuses_a_quote_that_gives_the_person_away(text: str) -> None:
    quote = propose_quote(make_interview(), text, proposer="a")
    with pytest.raises(QuoteRevealsIdentityError) as refused:
        approve_quote(quote, approver="b")
    message = str(refused.value)
    assert message.endswith(".") and ". " not in message  # one sentence
    assert not {"Awa", "Traoré", "70 00", "test"} & set(message.split())
    quote.refresh_from_db()
    assert quote.status == "proposed" and quote.text == "" and not quote.published_name


def test_a_word_merely_containing_a_name_part_is_not_refused() -> None:
    quote = propose_quote(make_interview(), "Nous attendons, awaiting.", proposer="a")
    assert approve_quote(quote, approver="b").status == "approved"


def _attachment_on_disk(interview: Interview, data_dir: Path) -> list[Path]:
    content = b"\xff\xd8generated test photo"
    sha = hashlib.sha256(content).hexdigest()
    # the layout of civharm.research.attachments: stored by hash, published copies beside
    stored = data_dir / "attachments" / sha[:2] / sha
    published = data_dir / "attachments" / "published" / f"{sha}-published.jpg"
    for path in (stored, published):
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    attachment = Attachment.objects.create(
        interview=interview, file_name="photo.jpg", media_type="image/jpeg", sha256=sha, size=9
    )
    AttachmentCustody.objects.create(attachment=attachment, action="stored", by="importer")
    return [stored, published]


def _archived_brief(quote_ids: list[int]) -> Brief:
    """A brief as make_brief leaves it (row and archived copies), printing QUOTE_IDS."""
    brief = Brief.objects.create(
        date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), created_by="advocacy-user",
        html_sha256="0" * 64, pdf_sha256="1" * 64, quote_ids=quote_ids,
    )  # fmt: skip
    for kind in ("html", "pdf"):
        archive_path(brief, kind).parent.mkdir(parents=True, exist_ok=True)
        archive_path(brief, kind).write_bytes(b"generated brief")
    return brief


def _coded_and_quoted(submission_uuid: str) -> Interview:
    interview = make_interview(submission_uuid=submission_uuid)
    fear = Theme.objects.get(key="fear_of_attack")
    justice = Theme.objects.get(key="want_justice")
    excerpt = add_coded_excerpt(interview, fear, 0, 20, coder="analyst-a")
    add_coded_excerpt(interview, justice, 5, 30, coder="analyst-b")
    quote = propose_quote(interview, "Nous avons peur.", proposer="a", excerpt=excerpt)
    approve_quote(quote, approver="b")
    return interview


def test_withdrawal_removes_the_person_from_every_output_and_leaves_a_tombstone(
    settings, tmp_path: Path, django_capture_on_commit_callbacks
) -> None:
    settings.DATA_DIR = tmp_path
    interview = _coded_and_quoted("uuid:withdraw-test")
    other = make_interview()  # another person, untouched
    photos = _attachment_on_disk(interview, tmp_path)
    pseudonym = interview.interviewee.pseudonym
    [quote] = Quote.objects.filter(interview=interview)
    assert [q["pseudonym"] for q in published_quotes()] == [quote.published_name]
    assert len(theme_frequencies()) == 2 and len(double_coded_agreement()) == 1
    other_quote = approve_quote(propose_quote(other, "La paix.", proposer="a"), approver="b")
    quoting, unrelated = (
        _archived_brief([quote.pk, other_quote.pk]),
        _archived_brief([other_quote.pk]),
    )

    with django_capture_on_commit_callbacks(execute=True):
        tombstone = withdraw_consent(interview, actor="field_researcher-user", reason="asked")

    assert tombstone.interview_code == interview.code
    assert tombstone.interviewee_pseudonym == pseudonym
    assert tombstone.removed == {
        "name": 1, "contact": 1, "community": 1, "register_person_link": 0, "narrative": 1,
        "quotes": 1, "excerpts": 2, "incident_links": 0, "person_links": 0,
        "attachments": 1, "attachment_files": 2, "briefs": 1,
    }  # fmt: skip
    assert tombstone.brief_ids == [quoting.pk]
    # the brief that quoted her leaves the archive (its row and hashes stay); the other stays
    quoting.refresh_from_db()
    unrelated.refresh_from_db()
    assert quoting.withdrawn_at and quoting.html_sha256 and unrelated.withdrawn_at is None
    assert not archive_path(quoting, "html").exists() and not archive_path(quoting, "pdf").exists()
    assert archive_path(unrelated, "html").exists()
    interview.refresh_from_db()
    interviewee = interview.interviewee
    assert interviewee.withdrawn_at and interview.consent.withdrawn_at
    assert (interviewee.name_encrypted, interviewee.contact_encrypted) == ("", "")
    assert (interviewee.community_encrypted, interview.narrative_encrypted) == ("", "")
    assert (interviewee.sex, interviewee.age_band) == ("unknown", "")
    # the non-personal metadata stays
    assert (interview.admin1_pcode, interview.language) == ("ML05", "fr")
    assert interview.harms == ["killed", "displaced_households"]
    assert not CodedExcerpt.objects.filter(interview=interview).exists()
    assert not Quote.objects.filter(interview=interview).exists()
    assert not Attachment.objects.exists() and not any(p.exists() for p in photos)
    assert AttachmentCustody.objects.filter(action="deleted", attachment=None).count() == 1
    # no output shows the person any more; the other interviewee is still there
    assert [q["id"] for q in published_quotes()] == [other_quote.pk]
    assert theme_frequencies() == [] and double_coded_agreement() == []
    other.refresh_from_db()
    assert other.narrative_encrypted and other.interviewee.name_encrypted
    assert other.interviewee.withdrawn_at is None and other.consent.withdrawn_at is None
    with pytest.raises(ConsentWithdrawnError):
        reveal_narrative(interview, user=make_user("analyst"))
    with pytest.raises(ConsentWithdrawnError):
        propose_quote(interview, "Encore.", proposer="a")
    entry = AuditEntry.objects.get(object_type="Interview", action="delete")
    assert entry.details["consent_withdrawn"] is True and entry.reason == "asked"
    assert NAME not in json.dumps([e.details for e in AuditEntry.objects.all()])


def test_withdrawal_is_idempotent_and_a_resent_submission_does_not_bring_the_person_back() -> None:
    interview = _coded_and_quoted("uuid:resent")
    first = withdraw_consent(interview, actor="x")
    again = withdraw_consent(interview, actor="y")
    assert again.pk == first.pk and ConsentWithdrawal.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="Interview", action="delete").count() == 1
    resent = record_interview(
        InterviewInput(
            interviewed_on=interview.interviewed_on,
            interviewer="importer",
            name=NAME,
            narrative="Le même récit, renvoyé.",
            submission_uuid="uuid:resent",
        ),
        actor="importer",
    )
    assert resent.pk == interview.pk
    resent.refresh_from_db()
    assert resent.narrative_encrypted == "" and resent.interviewee.name_encrypted == ""


def test_a_follow_up_interview_is_withdrawn_together_with_the_first() -> None:
    first = _coded_and_quoted("uuid:first-visit")
    pseudonym = first.interviewee.pseudonym
    follow_up = make_interview(interviewee_pseudonym=pseudonym, name="", narrative="Suite.")
    quote = propose_quote(follow_up, "Nous sommes revenus.", proposer="a")
    withdraw_consent(first, actor="field_researcher-user")
    follow_up.refresh_from_db()
    assert follow_up.narrative_encrypted == "" and follow_up.consent.withdrawn_at
    assert not Quote.objects.filter(pk=quote.pk).exists()
    codes = set(ConsentWithdrawal.objects.values_list("interview_code", flat=True))
    assert codes == {first.code, follow_up.code}
    with pytest.raises(ConsentWithdrawnError):  # no new interview for a withdrawn person
        make_interview(interviewee_pseudonym=pseudonym, name="")
