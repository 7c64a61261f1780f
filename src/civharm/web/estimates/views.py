"""Documented vs estimated victims: the stored run's figures, chart, lists, caveats.

Shows aggregates rounded as their intervals warrant; never a person.
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from civharm.accounts.permissions import capability_required
from civharm.analysis.estimates import (
    STRATUM_FIELDS,
    EstimationInputError,
    estimate_options,
    run_estimates,
)
from civharm.analysis.figures import (
    estimate_chart,
    estimate_figures,
    method_label,
    sensitivity_figures,
)
from civharm.analysis.models import EstimateRun


def field_labels() -> dict[str, str]:
    return {
        "region": _("region"),
        "cercle": _("cercle"),
        "year": _("year"),
        "sex": _("sex"),
        "age_band": _("age band"),
        "harm": _("harm suffered"),
    }


class EstimateForm(forms.Form):
    by = forms.MultipleChoiceField(
        label=gettext_lazy("Stratify by"), required=False, widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(
        label=gettext_lazy("Method"),
        choices=[
            ("loglinear", gettext_lazy("log-linear models (seconds)")),
            ("both", gettext_lazy("both (the latent-class model takes minutes)")),
            ("lcm", gettext_lazy("latent-class model")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = list(field_labels().items())  # type: ignore[attr-defined]


def _chart(figures: list[dict[str, Any]], method: str) -> str:
    return estimate_chart([f for f in figures if f["method"] == method], method)


def _labels() -> dict[str, str]:
    """Texts with a per cent sign: Django's {% translate %} would look them up as "%%"."""
    return {
        "intro": _(
            "A documented toll is a floor. Where several independent lists name victims, how "
            "much they overlap tells how many people no list caught (multiple systems "
            "estimation). Each figure comes with its 95% interval and is rounded as that "
            "interval warrants."
        ),
        "total": _("estimated total (95% interval)"),
    }


def _run_line(run: EstimateRun) -> str:
    when = date_format(localtime(run.finished_at), "DATETIME_FORMAT")
    line = _("Run {id}, {when}, by {who}.").format(id=run.pk, when=when, who=run.started_by)
    if run.input_kind == "histories":
        source = _("From the capture-history file {name}.").format(name=run.input_name)
    else:
        source = _("From the register's linked persons.")
    return f"{line} {source}"


@require_GET
@capability_required("view_estimates")
def estimates_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    runs = EstimateRun.objects.filter(status="complete")
    run = get_object_or_404(runs, pk=pk) if pk else runs.first()
    context: dict[str, Any] = {
        "labels": _labels(),
        "run": run,
        "recent": runs[:10],
        "form": EstimateForm(initial={"method": "loglinear"}),
        "can_run": request.user.can("run_estimates"),  # type: ignore[union-attr]
    }
    if run is not None:
        figures = estimate_figures(run)
        context |= {
            "figures": figures,
            "charts": [(method_label(m), _chart(figures, m)) for m in run.methods],
            "by_labels": [field_labels().get(f, f) for f in run.by],
            "sensitivity": sensitivity_figures(run),
            "run_line": _run_line(run),
            "documented_line": ngettext(
                "{n} documented person.", "{n} documented persons.", run.documented
            ).format(n=number_format(run.documented, force_grouping=True)),
        }
    return render(request, "web/estimates/page.html", context)


@require_GET
@capability_required("view_estimates")
def estimates_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The figures as shown (rounded), for a spreadsheet."""
    run = get_object_or_404(EstimateRun, pk=pk, status="complete")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="civharm-estimates-{run.pk}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(response)
    columns = ("stratum", "method", "documented", "total", "low", "high", "undocumented")
    writer.writerow([*columns, "model", "warnings"])
    for shown in estimate_figures(run):
        values = [shown.get(c) for c in columns]
        writer.writerow([*values, shown["model"], " | ".join(shown["warning_codes"])])
    return response


@capability_required("run_estimates")
@require_POST
def run_estimate(request: HttpRequest) -> HttpResponse:
    form = EstimateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a method and the fields to stratify by."))
        return redirect("web:estimates")
    methods = ("loglinear", "lcm") if form.cleaned_data["method"] == "both" else None
    try:
        run = run_estimates(
            user=request.user.get_username(),
            by=[f for f in STRATUM_FIELDS if f in form.cleaned_data["by"]],
            methods=methods or (form.cleaned_data["method"],),
            options=estimate_options(),
        )
    except EstimationInputError as error:
        messages.error(request, str(error))
        return redirect("web:estimates")
    messages.success(request, _("Estimated: run {id}.").format(id=run.pk))
    return redirect("web:estimates_run", pk=run.pk)
