"""The review workflow of an incident: assign, comment, grade, approve — each one stored
as a ReviewEvent and audited in the same transaction. Never stores or audits a person's name.

Status moves new -> in_review (assign, comment) -> reviewed (grade) -> approved (approve,
only once graded). Re-grading an approved incident sends it back to "reviewed".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts import audit
from civharm.core.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from civharm.accounts.models import User
    from civharm.incidents.models import Incident

__all__ = ["ReviewEvent"]

REVIEW_KINDS = [
    ("assign", gettext_lazy("assigned the incident")),
    ("comment", gettext_lazy("added a comment")),
    ("grade", gettext_lazy("graded the incident")),
    ("approve", gettext_lazy("approved the incident")),
]


class ReviewEvent(models.Model):
    """One review action on one incident: who, what, when (and to whom, which grade)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="review_events"
    )
    kind = models.CharField(gettext_lazy("action"), max_length=16, choices=REVIEW_KINDS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_events"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_assignments",
    )
    text = models.TextField(gettext_lazy("comment"), blank=True)
    grade = models.CharField(gettext_lazy("assessment grade"), max_length=16, blank=True)
    status_after = models.CharField(gettext_lazy("review status"), max_length=16)
    at = models.DateTimeField(gettext_lazy("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]


class ReviewError(Exception):
    """A review action that the incident's state or the input does not allow (says why)."""


def may_be_assigned(user: User) -> bool:
    """Only users who may review (analysts, administrators) can be given an incident."""
    return user.can("review")


def assign(incident: Incident, actor: User, assignee: User) -> ReviewEvent:
    if not may_be_assigned(assignee):
        raise ReviewError(_("Incidents can only be assigned to analysts or administrators."))
    return _act(incident, actor, "assign", fields=["assignee"], assignee=assignee)


def comment(incident: Incident, actor: User, text: str) -> ReviewEvent:
    if not text.strip():
        raise ReviewError(_("Write a comment first."))
    return _act(incident, actor, "comment", fields=["comment"], text=text.strip())


def grade(incident: Incident, actor: User, grade_key: str, text: str = "") -> ReviewEvent:
    if grade_key not in load_taxonomy().keys("assessment_grades"):
        raise ReviewError(_("Choose one of the assessment grades."))
    return _act(
        incident, actor, "grade", fields=["assessment_grade"], grade=grade_key, text=text.strip()
    )


def approve(incident: Incident, actor: User) -> ReviewEvent:
    return _act(incident, actor, "approve", fields=["review_status"])


def _next_status(kind: str, current: str, graded: bool) -> str:
    if kind in ("assign", "comment"):
        return "in_review" if current == "new" else current
    if kind == "grade":
        return "reviewed"
    if not graded:
        raise ReviewError(_("Grade the incident before approving it."))
    if current == "approved":
        raise ReviewError(_("This incident is already approved."))
    return "approved"


def _act(
    incident: Incident, actor: User, kind: str, *, fields: list[str], **values: object
) -> ReviewEvent:
    """Lock the incident, move its status, store the event and audit it — all or nothing.
    A text naming a victim is refused: the incident page shows it to roles that may not
    read names, and it would be kept in clear."""
    from civharm.incidents.services.name_words import refused_for_a_name  # models import us

    if refused_for_a_name(str(values.get("text") or ""), actor.username, "incident", incident.pk):
        raise ReviewError(
            _(
                "The text holds a word of a victim's name. Write what you found, never who: "
                "nothing was recorded."
            )
        )
    with transaction.atomic():
        locked = type(incident).objects.select_for_update().get(pk=incident.pk)
        new_grade = str(values.get("grade") or locked.assessment_grade)
        status = _next_status(kind, locked.review_status, graded=bool(new_grade))
        changed = ["updated_at"]
        if status != locked.review_status:
            locked.review_status = status
            changed.append("review_status")
        if new_grade != locked.assessment_grade:
            locked.assessment_grade = new_grade
            changed.append("assessment_grade")
        locked.save(update_fields=changed)
        event = ReviewEvent.objects.create(
            incident=locked, kind=kind, actor=actor, status_after=status, **values
        )
        audit.record(
            actor.username,
            f"review_{kind}",
            "incident",
            locked.pk,
            fields=fields,
            details={"review_event": event.pk, "review_status": status, "grade": new_grade},
        )
    incident.review_status, incident.assessment_grade = status, new_grade
    return event
