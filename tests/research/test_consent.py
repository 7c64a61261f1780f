"""Consent as data: quotes need publication consent, and a withdrawal removes the person's data
from every output while leaving an audited tombstone (end to end, generated people only)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.utils import translation

from civharm.accounts.models import AuditEntry
from civharm.research.errors import ConsentWithdrawnError, PublicationNotAllowedError
from civharm.research.models import (
    Attachment,
    AttachmentCustody,
    CodedExcerpt,
    ConsentWithdrawal,
    Interview,
    Quote,
    Theme,
)
from civharm.research.outputs import double_coded_agreement
from civharm.research.services import (
    InterviewInput,
    add_coded_excerpt,
    approve_quote,
    propose_quote,
    published_quotes,
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
    approve_quote(quote, approver="advocacy-user")
    with translation.override("en"):
        [published] = published_quotes()
    assert published == {
        "text": "Nous voulons la justice.",
        "pseudonym": public.interviewee.pseudonym,
        "note": "name changed",
        "region": "Mopti",
        "year": 2025,
        "theme": "",
    }
    assert published_quotes(region_pcode="ML01") == []


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
    assert [q["pseudonym"] for q in published_quotes()] == [pseudonym]
    assert len(theme_frequencies()) == 2 and len(double_coded_agreement()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        tombstone = withdraw_consent(interview, actor="field_researcher-user", reason="asked")

    assert tombstone.interview_code == interview.code
    assert tombstone.interviewee_pseudonym == pseudonym
    assert tombstone.removed == {
        "name": 1, "contact": 1, "community": 1, "register_person_link": 0, "narrative": 1,
        "quotes": 1, "excerpts": 2, "incident_links": 0, "person_links": 0,
        "attachments": 1, "attachment_files": 2,
    }  # fmt: skip
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
    assert published_quotes() == [] and theme_frequencies() == []
    assert double_coded_agreement() == []
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
