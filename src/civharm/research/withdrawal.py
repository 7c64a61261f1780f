"""Withdrawal of consent: remove everything personal an interview brought in, keep a tombstone.

What goes: the interviewee's name, contact and community ciphertexts, sex, age band and
displacement status, the link to a register person, the narrative, the place name and cercle,
the links to incidents and persons, coded excerpts, quotes, attachments and their files, and
the archived files of every advocacy brief that printed one of the person's quotes (the Brief
row stays, marked withdrawn, with its hashes; a copy already sent out cannot be recalled). What
stays: the interview row with its date, region, language and harm types, the pseudonym, the
submission UUID (so a re-sent submission is recognised and never re-creates the person), and
an audited ConsentWithdrawal that counts what was removed. The register's own Person records
come from other sources and are never touched. Must never write a name or narrative anywhere.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civharm.accounts import audit
from civharm.research.models import (
    Attachment,
    AttachmentCustody,
    Consent,
    ConsentWithdrawal,
    Interview,
    Interviewee,
    Quote,
)


def withdraw_consent(interview: Interview, *, actor: str, reason: str = "") -> ConsentWithdrawal:
    """Withdraw the interviewee's consent (for every interview they gave) and return the
    tombstone of this interview. Idempotent: a second call returns the first tombstone."""
    # here, not at the top: briefs read research outputs, and rendering is heavy to import
    from civharm.advocacy.briefs import withdraw_briefs_quoting

    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk)
        interviewee = Interviewee.objects.select_for_update().get(pk=interview.interviewee_id)
        now = timezone.now()
        removed_identity = _clear_interviewee(interviewee, now)
        quote_ids = set(
            Quote.objects.filter(interview__interviewee=interviewee).values_list("pk", flat=True)
        )
        brief_ids = withdraw_briefs_quoting(quote_ids, actor=actor, now=now)
        tombstones = {}
        for each in interviewee.interviews.order_by("pk"):
            tombstones[each.pk] = _withdraw_interview(each, interviewee, actor, reason, now)
        tombstone = tombstones[interview.pk]
        if removed_identity or brief_ids:
            # the briefs go on the tombstone of the interview withdrawn, like the identity
            tombstone.removed = {**tombstone.removed, **removed_identity}
            if brief_ids:
                tombstone.removed["briefs"] = len(brief_ids)
                tombstone.brief_ids = sorted(set(tombstone.brief_ids) | set(brief_ids))
            tombstone.save(update_fields=["removed", "brief_ids"])
    return tombstone


def _clear_interviewee(interviewee: Interviewee, now: datetime) -> dict[str, int]:
    """Blank the identity once; the counts go on the tombstone of the interview withdrawn."""
    if interviewee.withdrawn_at is not None:
        return {}
    removed = {
        name: int(bool(getattr(interviewee, f"{name}_encrypted")))
        for name in Interviewee.PROTECTED_FIELDS
    }
    removed["register_person_link"] = int(interviewee.person_id is not None)
    Interviewee.objects.filter(pk=interviewee.pk).update(
        name_encrypted="",
        contact_encrypted="",
        community_encrypted="",
        sex="unknown",
        age_band="",
        displacement_status="unknown",
        person=None,
        withdrawn_at=now,
    )
    return removed


def _withdraw_interview(
    interview: Interview, interviewee: Interviewee, actor: str, reason: str, now: datetime
) -> ConsentWithdrawal:
    consent = Consent.objects.select_for_update().filter(interview=interview).first()
    previous = ConsentWithdrawal.objects.filter(interview_code=interview.code).first()
    if previous is not None and consent is not None and consent.withdrawn_at is not None:
        return previous
    removed = _remove_interview_data(interview, actor)
    if consent is not None:
        consent.withdrawn_at = now
        consent.save(update_fields=["withdrawn_at"])
    tombstone = ConsentWithdrawal.objects.create(
        interview_code=interview.code,
        interviewee_pseudonym=interviewee.pseudonym,
        withdrawn_at=now,
        recorded_by=actor,
        reason=reason[:300],
        removed=removed,
    )
    audit.record(
        actor,
        "delete",
        "Interview",
        interview.pk,
        fields=["name", "contact", "community", "narrative"],
        reason=reason[:300] or "consent withdrawn",
        details={"interview": interview.code, "consent_withdrawn": True, "removed": removed},
    )
    return tombstone


def _remove_interview_data(interview: Interview, actor: str) -> dict[str, int]:
    """Delete what this interview brought in; return how many of each were removed."""
    removed = {
        "narrative": int(bool(interview.narrative_encrypted)),
        "quotes": interview.quotes.count(),
        "excerpts": interview.excerpts.count(),
        "incident_links": interview.incidents.count(),
        "person_links": interview.persons.count(),
    }
    interview.quotes.all().delete()  # before excerpts: quotes point at them
    interview.excerpts.all().delete()
    interview.incidents.clear()
    interview.persons.clear()
    removed["attachments"], removed["attachment_files"] = _delete_attachments(interview, actor)
    Interview.objects.filter(pk=interview.pk).update(
        narrative_encrypted="", place_name="", admin2_pcode="", admin2_name=""
    )
    return removed


def _delete_attachments(interview: Interview, actor: str) -> tuple[int, int]:
    """Delete the interview's attachments and their files; the custody log keeps a 'deleted'
    step. A file stays when another interview's attachment has the same content."""
    attachments = list(Attachment.objects.filter(interview=interview))
    files = 0
    for attachment in attachments:
        AttachmentCustody.objects.create(
            attachment=attachment,
            action="deleted",
            by=actor,
            note=f"consent withdrawn ({interview.code})",
        )
        shared = (
            Attachment.objects.filter(sha256=attachment.sha256)
            .exclude(pk__in=[a.pk for a in attachments])
            .exists()
        )
        if not shared:
            files += _delete_files(attachment)
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    return len(attachments), files


def attachment_files(attachment: Attachment) -> list[Path]:
    """The stored file and any published copy of an attachment: every file under
    DATA_DIR/attachments whose name starts with the content's SHA-256 (see attachments.py)."""
    root = Path(settings.DATA_DIR) / "attachments"
    if not root.is_dir() or len(attachment.sha256) != 64:
        return []
    return [path for path in root.rglob(f"{attachment.sha256}*") if path.is_file()]


def _delete_files(attachment: Attachment) -> int:
    """Schedule the files' deletion for when the withdrawal commits (a rollback keeps them)."""
    paths = attachment_files(attachment)

    def unlink() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    transaction.on_commit(unlink)
    return len(paths)
