"""Recommendations (with their status history and evidence) and the briefs produced for advocacy.

A status change is a new RecommendationStatus row, never an update: the history is append-only.
No field here holds a person's name or contact.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ADDRESSEES = [
    ("government", _("government")),
    ("un_mission", _("UN mission")),
    ("armed_forces", _("armed forces")),
    ("partner", _("partner")),
    ("other", _("other")),
]
STATUSES = [
    ("proposed", _("proposed")),
    ("accepted", _("accepted")),
    ("implemented", _("implemented")),
    ("rejected", _("rejected")),
]
LANGUAGES = [("fr", _("French")), ("en", _("English"))]


class Brief(models.Model):
    """One advocacy brief written for a region and a period (the PDF and HTML, by their hashes)."""

    region_pcode = models.CharField(_("region P-code"), max_length=16, blank=True)
    region_name = models.CharField(_("region"), max_length=100, blank=True)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="fr")
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    html_sha256 = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(_("file name"), max_length=300, blank=True)  # base name only
    # research.Quote ids the brief printed: a withdrawal of consent finds the briefs to purge.
    quote_ids = models.JSONField(_("quotes used"), default=list, blank=True)
    # Set when the archived files were deleted (a quoted interviewee withdrew consent); the
    # hashes stay so a copy sent out can still be recognised.
    withdrawn_at = models.DateTimeField(_("withdrawn from the archive at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("brief")
        verbose_name_plural = _("briefs")

    def __str__(self) -> str:
        return f"brief {self.pk}"


class Recommendation(models.Model):
    """A recommendation made to an addressee, with the evidence behind it."""

    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    addressee = models.CharField(_("addressee"), max_length=16, choices=ADDRESSEES)
    addressee_detail = models.CharField(
        _("addressee (detail)"),
        max_length=300,
        blank=True,
        help_text=_("For example: Ministry of Defence, MINUSMA civil affairs."),
    )
    made_on = models.DateField(_("made on"))
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    incidents = models.ManyToManyField(
        "incidents.Incident",
        blank=True,
        related_name="recommendations",
        verbose_name=_("incidents"),
    )
    estimate_runs = models.ManyToManyField(
        "analysis.EstimateRun",
        blank=True,
        related_name="recommendations",
        verbose_name=_("estimate runs"),
    )
    briefs = models.ManyToManyField(
        Brief, blank=True, related_name="recommendations", verbose_name=_("briefs")
    )

    class Meta:
        ordering = ["-made_on", "-id"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self) -> str:
        return self.title

    def current_status(self) -> RecommendationStatus | None:
        """The latest entry of the history (by date, then by when it was recorded)."""
        return self.status_history.order_by("-on", "-recorded_at", "-id").first()


class RecommendationStatus(models.Model):
    """One step of a recommendation's history: proposed, accepted, implemented or rejected."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="status_history"
    )
    status = models.CharField(_("status"), max_length=16, choices=STATUSES)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["on", "recorded_at", "id"]
        verbose_name = _("recommendation status")
        verbose_name_plural = _("recommendation statuses")

    def __str__(self) -> str:
        return f"{self.status} {self.on}"


class EvidenceFigure(models.Model):
    """A figure quoted as evidence (e.g. "civilians killed at checkpoints, Mopti 2022": "37")."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="figures"
    )
    label = models.CharField(_("label"), max_length=300)
    value = models.CharField(_("value"), max_length=100)

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence figure")
        verbose_name_plural = _("evidence figures")

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"
