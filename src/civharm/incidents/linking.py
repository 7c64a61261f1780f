"""What linkage keeps in the register: model links between reports, pairs waiting for a
person, and people's verdicts. Reports are never deleted or changed by linkage; only which
Incident (or Person) they count towards moves, so every merge can be undone.

Never stores a name: pairs point at Reports, whose protected fields stay encrypted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy

from civharm.core.processes import gone

__all__ = ["LinkCandidate", "LinkDecision", "LinkRun", "RecordLink"]

LINK_KINDS = [
    ("incident", gettext_lazy("reports of one incident")),
    ("person", gettext_lazy("records of one person")),
]
DECISIONS = [
    ("match", gettext_lazy("same")),
    ("no_match", gettext_lazy("different")),
]
CANDIDATE_REASONS = [
    ("uncertain", gettext_lazy("the model is unsure")),
    ("chained", gettext_lazy("the link chains records that disagree")),
]
CANDIDATE_STATUSES = [
    ("pending", gettext_lazy("waiting for review")),
    ("decided", gettext_lazy("decided")),
    ("superseded", gettext_lazy("no longer proposed")),
]


class LinkRun(models.Model):
    """One run of `civharm link` for one kind: what it read, what it found, with what settings."""

    kind = models.CharField(max_length=8, choices=LINK_KINDS)
    engine = models.CharField(max_length=16)
    started_by = models.CharField(max_length=150)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, default="running")  # running, complete, failed
    records = models.PositiveIntegerField(default=0)
    clusters = models.PositiveIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)
    review_pairs = models.PositiveIntegerField(default=0)
    settings = models.JSONField(default=dict, blank=True)  # thresholds and model parameters used

    def stopped_outright(self) -> bool:
        """Marked running, but its process is surely gone (killed outright, or the machine
        stopped): nothing of it was saved. Its settings hold no model yet: cheap to read."""
        return self.status == "running" and gone(self.settings.get("process"))


class RecordLink(models.Model):
    """A pair of reports the model scored as the same incident (or person), above threshold.

    The latest run's links replace the previous run's; decisions (LinkDecision) are kept apart
    and win over links, so human work survives re-runs."""

    kind = models.CharField(max_length=8, choices=LINK_KINDS)
    left = models.ForeignKey("incidents.Report", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(
        "incidents.Report", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    probability = models.FloatField()
    run = models.ForeignKey(LinkRun, on_delete=models.PROTECT, related_name="record_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "left", "right"], name="one_link_per_pair"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="link_left_lt_right"
            ),
        ]


class LinkCandidate(models.Model):
    """A pair that waits for a person: the model was unsure, or its link chained a cluster."""

    kind = models.CharField(max_length=8, choices=LINK_KINDS)
    left = models.ForeignKey("incidents.Report", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(
        "incidents.Report", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    probability = models.FloatField()
    reason = models.CharField(max_length=16, choices=CANDIDATE_REASONS, default="uncertain")
    status = models.CharField(max_length=16, choices=CANDIDATE_STATUSES, default="pending")
    run = models.ForeignKey(LinkRun, on_delete=models.PROTECT, related_name="candidates")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "left", "right"], name="one_candidate_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="candidate_left_lt_right"
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="candidate_queue")]


class LinkDecision(models.Model):
    """A person's verdict on a pair. Append-only: the latest decision on a pair wins, so a
    merge is undone by deciding "different" (and a split by deciding "same")."""

    kind = models.CharField(max_length=8, choices=LINK_KINDS)
    left = models.ForeignKey("incidents.Report", on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(
        "incidents.Report", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    decision = models.CharField(max_length=8, choices=DECISIONS)
    decided_by = models.CharField(max_length=150)
    decided_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)  # never a name: the form says so and it is audited

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="decision_left_lt_right"
            ),
        ]
        indexes = [models.Index(fields=["kind", "left", "right"], name="decision_pair")]
