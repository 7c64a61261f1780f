"""Stored estimate runs: the figures a page shows without re-running hours of sampling.

Aggregates only (capture-pattern counts per stratum), never a person.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EstimateRun(models.Model):
    """One `civharm estimate` (or the page's button): what was estimated, by whom, how."""

    started_by = models.CharField(max_length=150)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, default="running")  # running, complete, failed
    input_kind = models.CharField(max_length=16, default="register")  # register or histories file
    input_name = models.CharField(max_length=300, blank=True)  # the histories file's name
    by = models.JSONField(default=list)  # stratification fields, e.g. ["region", "year"]
    methods = models.JSONField(default=list)
    options = models.JSONField(default=dict, blank=True)  # chains, iterations, seed, criterion…
    lists = models.JSONField(default=list)  # the source lists the histories come from
    documented = models.PositiveIntegerField(default=0)
    sensitivity = models.JSONField(default=list, blank=True)  # totals at other link thresholds

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("estimate run")

    def __str__(self) -> str:
        return f"estimate run {self.pk}"


class StratumEstimate(models.Model):
    """One method's estimate for one stratum (key ["Mopti", "2022"]) or for the total."""

    run = models.ForeignKey(EstimateRun, on_delete=models.CASCADE, related_name="estimates")
    key = models.JSONField(default=list)  # the stratum's values, in the run's `by` order
    is_total = models.BooleanField(default=False)
    method = models.CharField(max_length=16)
    documented = models.PositiveIntegerField()
    total = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    model = models.CharField(max_length=300, blank=True)
    # [{"code", "template", "params"}]: shown in the reader's language (figures.warning_text)
    warnings = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)  # diagnostics, models compared
    histories = models.JSONField(default=dict, blank=True)  # {"lists", "patterns", "counts"}

    class Meta:
        ordering = ["is_total", "id"]
