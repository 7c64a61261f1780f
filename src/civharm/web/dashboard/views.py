"""The dashboard: harm over time, by place, actor, harm type and context, and documented vs
estimated totals; every chart with its table and its (audited) CSV.

Staff filter the exact figures. Readers without `view_uncontrolled_aggregates` (partners) get
no filters: every figure, chart, map and CSV is a cell of the one published release of the
whole register (civharm.analysis.published). The page never links to an incident or person.
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civharm.accounts import audit
from civharm.accounts.permissions import capability_required
from civharm.analysis.published import partner_release
from civharm.analysis.snapshot import register_snapshot
from civharm.disclosure import SUPPRESSION_NOTE
from civharm.web.dashboard.estimates import latest_estimates
from civharm.web.dashboard.forms import DashboardFilterForm
from civharm.web.dashboard.labels import DimensionLabels
from civharm.web.dashboard.sections import chart_sections, choropleth
from civharm.web.dashboard.tables import (
    TABLE_DIMENSIONS,
    DashboardFigures,
    dashboard_figures,
    partner_figures,
    small_cell_threshold,
)

WITHHELD = "—"


def sees_exact_figures(request: HttpRequest) -> bool:
    return bool(request.user.can("view_uncontrolled_aggregates"))


def _figures(request: HttpRequest, form: DashboardFilterForm | None) -> DashboardFigures:
    """Staff: the filtered exact figures. Partners (form None): the published release."""
    if form is None:
        return partner_figures(partner_release())
    return dashboard_figures(
        register_snapshot().connection,
        form.dashboard_filter(),
        form.measured_harm(),
        controlled=False,
    )


def _form(request: HttpRequest) -> DashboardFilterForm | None:
    """The filter form, for staff only: partners get the whole register's published tables
    (filtered views could be subtracted from one another to undo the protection)."""
    if not sees_exact_figures(request):
        return None
    return DashboardFilterForm(request.GET or None)


def partner_note() -> str:
    return _(
        "You receive the published tables of the whole register, without filters: figures "
        "of filtered views could be subtracted from one another to reveal withheld ones."
    )


def harm_label(harm: str) -> str:
    return DimensionLabels().by_table["by_harm_type"].get(harm, harm)


def disclosure_note(threshold: int) -> str:
    """Passed from the view: Django's {% translate %} cannot take a number in the text."""
    return _(SUPPRESSION_NOTE).format(threshold=threshold)


def withheld_note(threshold: int) -> str:
    """The note of a withheld CSV cell (its value is left empty)."""
    return _(
        "withheld by disclosure control (below {threshold}, or would reveal such a figure)"
    ).format(threshold=threshold)


@capability_required("view_aggregates")
@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    figures = _figures(request, form)
    harm = harm_label(figures.measure)
    controlled = figures.controlled
    context: dict[str, Any] = {
        "form": form,
        "filterable": form is not None,
        "figures": figures,
        "total": figures.total(),
        "harm": harm,
        "sections": chart_sections(figures, harm),
        "map": choropleth(figures, harm),
        "query": form.query_string() if form is not None else "",
        "estimates": latest_estimates(controlled=controlled),
        "disclosure_note": disclosure_note(figures.threshold) if controlled else "",
        "partner_note": partner_note() if controlled else "",
        "filters_invalid": form is not None and form.is_bound and not form.is_valid(),
    }
    return render(request, "web/dashboard/dashboard.html", context)


def _cell(value: int | None) -> str | int:
    return "" if value is None else value


def csv_response(file_name: str) -> tuple[HttpResponse, Any]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    return response, csv.writer(response)


@capability_required("view_aggregates")
@require_GET
def dashboard_csv(request: HttpRequest, chart: str) -> HttpResponse:
    """One chart's table (staff: with the page's filters); withheld figures are empty, with
    a note. Every download is audited: it is what leaves the system."""
    if chart == "estimates":
        return _estimates_csv(request)
    if chart not in TABLE_DIMENSIONS:
        raise Http404(chart)
    form = _form(request)
    figures = _figures(request, form)
    rows = figures.tables[chart]
    _audit_download(request, chart, form, withheld=sum(row.withheld for row in rows))
    day = timezone.localdate()
    response, writer = csv_response(f"civharm-{chart.replace('_', '-')}-{day:%Y-%m-%d}.csv")
    _write_rows(writer, chart, figures)
    return response


def _write_rows(writer: Any, chart: str, figures: DashboardFigures) -> None:
    exact = not figures.controlled
    note = withheld_note(figures.threshold)
    if figures.controlled and chart == "by_harm_type":  # people per harm type, no incidents
        writer.writerow(["key", "label", "people_best", "note"])
        for row in figures.tables[chart]:
            writer.writerow([row.key, row.label, _cell(row.people), note if row.withheld else ""])
        return
    people = f"{figures.measure}_best"
    extra = [f"{figures.measure}_low", f"{figures.measure}_high"] if exact else []
    writer.writerow(["key", "label", "incidents", people, *extra, "note"])
    for row in figures.tables[chart]:
        values = [_cell(row.incidents), _cell(row.people)]
        bounds = [_cell(row.low), _cell(row.high)] if exact else []
        writer.writerow([row.key, row.label, *values, *bounds, note if row.withheld else ""])


def _audit_download(
    request: HttpRequest, chart: str, form: DashboardFilterForm | None, *, withheld: int
) -> None:
    audit.record(
        request.user.get_username(),
        "export",
        "dashboard",
        details={
            "chart": chart,
            "format": "csv",
            "filters": form.query_string() if form is not None else "",
            "controlled": form is None,
            "withheld": withheld,
        },
    )


def _estimates_csv(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    section = latest_estimates(controlled=form is None)
    if section is None:
        raise Http404("no estimate")
    _audit_download(request, "estimates", form, withheld=section.withheld)
    response, writer = csv_response(f"civharm-estimates-{section.run.pk}.csv")
    columns = ("stratum", "method", "documented", "total", "low", "high")
    writer.writerow([*columns, "note"])
    note = withheld_note(small_cell_threshold())
    for figure in section.figures:
        withheld = figure["documented"] is None
        writer.writerow([_cell(figure.get(c)) for c in columns] + [note if withheld else ""])
    return response
