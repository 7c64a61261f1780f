"""Page: does the training work — harm attributed to the national forces in trained units'
areas before and after training, against comparison areas (a difference in differences from
civharm.training.effect), per partner and whole years, with its interval and plain caveats.

Shows only what the effect report releases: disclosure-controlled totals and the estimate;
never a cercle's count, an incident or a person.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from civharm.accounts.permissions import capability_required
from civharm.training.models import TrainingPartner
from civharm.web.training.navigation import render_page


def effect_functions() -> tuple[Any, Any] | None:
    """(training_effect, effect_by_partner) from civharm.training.effect, if installed."""
    try:
        from civharm.training.effect import effect_by_partner, training_effect
    except ImportError:
        return None
    return training_effect, effect_by_partner


FIRST_YEAR = 1990


class EffectForm(forms.Form):
    """A partner and whole calendar years (1990 to this year): a day-by-day period would let
    two reports a day apart be differenced into one unit's cercles."""

    partner = forms.ModelChoiceField(
        label=_lazy("Partner"),
        queryset=TrainingPartner.objects.order_by("name"),
        required=False,
        empty_label=_lazy("each partner, then all together"),
    )
    year_from = forms.IntegerField(
        label=_lazy("Sessions from the year"), required=False, min_value=FIRST_YEAR
    )
    year_to = forms.IntegerField(
        label=_lazy("to the year (included)"),
        required=False,
        min_value=FIRST_YEAR,
        help_text=_lazy("Whole calendar years; leave one empty for no bound."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = date.today().year
        for name in ("year_from", "year_to"):
            field = self.fields[name]
            assert isinstance(field, forms.IntegerField)
            field.max_value = this_year
            field.validators.append(MaxValueValidator(this_year))
            field.widget.attrs.update({"min": FIRST_YEAR, "max": this_year, "step": 1})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start and end and end < start:
            self.add_error("year_to", _("The end of the period cannot come before its start."))
        return data


def _signed_percent(value: float) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return _("{value}%").format(value=f"{sign}{number_format(abs(value) * 100, decimal_pos=0)}")


def _rate(value: float) -> str:
    return number_format(value, decimal_pos=2)


def _total(value: int | None, threshold: int) -> str:
    if value is None:
        return _("withheld (fewer than {threshold})").format(threshold=threshold)
    return number_format(value, force_grouping=True)


def _estimate_lines(report: Any) -> dict[str, Any]:
    estimate = report.estimate
    if estimate is None or estimate.effect is None:
        reason = report.reason or (estimate.reason if estimate else "")
        return {"effect": "", "reason": _(reason) if reason else ""}
    interval = ""
    if estimate.low is not None and estimate.high is not None:
        interval = _("{level}% interval: {low} to {high}").format(
            level=number_format(estimate.level * 100, decimal_pos=0),
            low=_signed_percent(estimate.low),
            high=_signed_percent(estimate.high),
        )
    e = estimate
    return {
        "effect": _signed_percent(estimate.effect),
        "interval": interval,
        "reason": _(estimate.reason) if estimate.reason else "",
        "rates": [
            (_("trained areas"), *map(_rate, (e.treated_before_rate, e.treated_after_rate))),
            (_("comparison areas"), *map(_rate, (e.control_before_rate, e.control_after_rate))),
        ],
    }


def report_view(report: Any) -> dict[str, Any]:
    """One report, as texts ready for the template."""
    totals = report.totals
    return {
        "title": report.partner or _("All partners together"),
        "units": report.units,
        "units_without_area": report.units_without_area,
        "trained_areas": report.trained_areas,
        "comparison_areas": report.comparison_areas,
        "window": report.window_months,
        "totals": [
            (
                label,
                _total(totals.get((group, "before")), report.threshold),
                _total(totals.get((group, "after")), report.threshold),
            )
            for group, label in (
                ("trained", _("trained areas")),
                ("comparison", _("comparison areas")),
            )
        ],
        "caveats": [_(caveat) for caveat in report.caveats],
        **_estimate_lines(report),
    }


def _reports(functions: tuple[Any, Any], data: dict[str, Any]) -> list[Any]:
    training_effect, effect_by_partner = functions
    start: int | None = data.get("year_from")
    end: int | None = data.get("year_to")
    if data.get("partner") is not None:
        return [training_effect(data["partner"], start, end)]
    return list(effect_by_partner(start, end))


def effect_labels() -> dict[str, str]:
    """Texts with a per cent sign, passed from the view."""
    return {
        "intro": _(
            "Incidents in which the national forces are alleged to have harmed civilians, per "
            "cercle and month, in the areas of operations of trained units before and after "
            "their first session, against the other cercles of the same regions. The effect is "
            "the change in the trained areas' incident rate beyond the change in comparison "
            "areas (−30% means 30% fewer incidents than the comparison areas suggest)."
        ),
    }


@capability_required("view_training")
@require_GET
def effect_page(request: HttpRequest) -> HttpResponse:
    functions = effect_functions()
    form = EffectForm(request.GET or None)
    context: dict[str, Any] = {
        "available": functions is not None,
        "form": form,
        "labels": effect_labels(),
    }
    if functions is not None and (not form.is_bound or form.is_valid()):
        data = form.cleaned_data if form.is_bound else {}
        context["reports"] = [report_view(r) for r in _reports(functions, data)]
    return render_page(request, "web/training/effect.html", context)
