"""Forms of the recommendations tracker. They validate input (incident codes included) and
hand a RecommendationInput to civharm.advocacy.recommendations, which makes the change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civharm.advocacy.models import ADDRESSEES, STATUSES, Brief, Recommendation
from civharm.advocacy.recommendations import (
    RecommendationError,
    RecommendationInput,
    incident_codes,
    incidents_from_codes,
)
from civharm.analysis.models import EstimateRun

DATE_INPUT = forms.DateInput({"type": "date"}, format="%Y-%m-%d")
CHOICES_SHOWN = 30  # the most recent estimate runs and briefs offered as evidence


class FilterForm(forms.Form):
    addressee = forms.ChoiceField(
        label=_("addressee"), required=False, choices=[("", _("all")), *ADDRESSEES]
    )
    status = forms.ChoiceField(
        label=_("current status"), required=False, choices=[("", _("all")), *STATUSES]
    )


class EstimateRunChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = obj.finished_at or obj.started_at
        return gettext("Run {id}, {when}").format(id=obj.pk, when=when.date().isoformat())


class BriefChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("Brief {id}: {region}, {start} to {end}").format(
            id=obj.pk,
            region=obj.region_name or obj.region_pcode or gettext("whole country"),
            start=obj.date_from.isoformat(),
            end=obj.date_to.isoformat(),
        )


def _recent_or_linked(queryset: QuerySet[Any], linked: QuerySet[Any] | None) -> QuerySet[Any]:
    recent = list(queryset.values_list("pk", flat=True)[:CHOICES_SHOWN])
    keep = Q(pk__in=recent)
    if linked is not None:
        keep |= Q(pk__in=linked.values("pk"))
    return queryset.filter(keep)


class RecommendationForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=300)
    text = forms.CharField(
        label=_("text"), required=False, max_length=10000, widget=forms.Textarea({"rows": 5})
    )
    addressee = forms.ChoiceField(label=_("addressee"), choices=ADDRESSEES)
    addressee_detail = forms.CharField(
        label=_("addressee (detail)"),
        required=False,
        max_length=300,
        help_text=_("For example: Ministry of Defence, MINUSMA civil affairs."),
    )
    made_on = forms.DateField(label=_("made on"), widget=DATE_INPUT)
    incidents = forms.CharField(
        label=_("evidence: incidents"),
        required=False,
        max_length=5000,
        help_text=_("Incident codes separated by commas, e.g. INC-000123, INC-000456."),
        widget=forms.Textarea({"rows": 2}),
    )
    estimate_runs = EstimateRunChoice(
        label=_("evidence: estimates"),
        required=False,
        queryset=EstimateRun.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    briefs = BriefChoice(
        label=_("evidence: briefs"),
        required=False,
        queryset=Brief.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    figures = forms.CharField(
        label=_("evidence: figures"),
        required=False,
        max_length=5000,
        help_text=_("One figure per line, as label: value."),
        widget=forms.Textarea({"rows": 3}),
    )

    def __init__(self, *args: Any, recommendation: Recommendation | None = None, **kw: Any):
        super().__init__(*args, **kw)
        runs = EstimateRun.objects.filter(status="complete")
        self.fields["estimate_runs"].queryset = _recent_or_linked(
            runs, recommendation.estimate_runs.all() if recommendation else None
        )
        self.fields["briefs"].queryset = _recent_or_linked(
            Brief.objects.all(), recommendation.briefs.all() if recommendation else None
        )

    @staticmethod
    def initial_for(recommendation: Recommendation) -> dict[str, Any]:
        figures = recommendation.figures.all()
        return {
            "title": recommendation.title,
            "text": recommendation.text,
            "addressee": recommendation.addressee,
            "addressee_detail": recommendation.addressee_detail,
            "made_on": recommendation.made_on,
            "incidents": incident_codes(recommendation.incidents.order_by("id")),
            "estimate_runs": list(recommendation.estimate_runs.all()),
            "briefs": list(recommendation.briefs.all()),
            "figures": "\n".join(f"{f.label}: {f.value}" for f in figures),
        }

    def clean_incidents(self) -> list[Any]:
        try:
            return incidents_from_codes(self.cleaned_data["incidents"])
        except RecommendationError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_figures(self) -> list[tuple[str, str]]:
        figures = []
        for line in self.cleaned_data["figures"].splitlines():
            if not line.strip():
                continue
            label, colon, value = line.rpartition(":")
            if not colon or not label.strip() or not value.strip():
                raise forms.ValidationError(
                    gettext("Write each figure as label: value (this line is not: {line}).").format(
                        line=line.strip()
                    )
                )
            figures.append((label.strip()[:300], value.strip()[:100]))
        return figures

    def recommendation_input(self) -> RecommendationInput:
        data = self.cleaned_data
        return RecommendationInput(
            title=data["title"].strip(),
            text=data["text"].strip(),
            addressee=data["addressee"],
            addressee_detail=data["addressee_detail"].strip(),
            made_on=data["made_on"],
            incidents=data["incidents"],
            estimate_runs=list(data["estimate_runs"]),
            briefs=list(data["briefs"]),
            figures=data["figures"],
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=STATUSES)
    on = forms.DateField(label=_("date"), widget=DATE_INPUT, initial=date.today)
    note = forms.CharField(
        label=_("note (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea({"rows": 2}),
    )
