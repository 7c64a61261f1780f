"""Patterns for training: for one actor or category (the national forces by default), which
interaction contexts led to which harms, year by year, and where; and its export.

The export goes into training material, so it is disclosure-controlled for everyone and says
so in its first row (CSV) and its "Read me" sheet (XLSX). Never a record or a person.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civharm.accounts import audit
from civharm.accounts.permissions import capability_required
from civharm.analysis.snapshot import register_snapshot
from civharm.core.taxonomy import load_taxonomy
from civharm.disclosure import SUPPRESSION_NOTE
from civharm.web.dashboard.forms import CATEGORY_PREFIX, PatternsFilterForm, actor_choices
from civharm.web.dashboard.labels import DimensionLabels
from civharm.web.dashboard.pattern_tables import PatternTables, controlled_patterns, exact_patterns
from civharm.web.dashboard.tables import small_cell_threshold
from civharm.web.dashboard.views import csv_response, sees_exact_figures

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _patterns(request: HttpRequest, form: PatternsFilterForm, *, controlled: bool) -> PatternTables:
    con = register_snapshot().connection
    build = controlled_patterns if controlled else exact_patterns
    return build(con, form.dashboard_filter(), small_cell_threshold())


def actor_label(value: str) -> str:
    for _group, choices in actor_choices():
        for key, label in choices:
            if key == value:
                return str(label)
    return value.removeprefix(CATEGORY_PREFIX)


def export_note(threshold: int) -> str:
    return _("Disclosure-controlled for use in training material: {note}").format(
        note=_(SUPPRESSION_NOTE).format(threshold=threshold)
    )


def _shown(value: int | None) -> str | int:
    return "—" if value is None else value


def _in_pack_order(taxonomy: str, keys: Iterable[str]) -> list[str]:
    """The country pack's order (killed first, contexts as the pack lists them): never an
    order by counts, which would give a withheld figure's size away."""
    order = {key: index for index, key in enumerate(load_taxonomy().keys(taxonomy))}
    return sorted(keys, key=lambda key: (order.get(key, len(order)), key))


def pattern_rows(tables: PatternTables, labels: DimensionLabels) -> dict[str, Any]:
    """The three tables as rows of labelled cells: contexts × harms, years × contexts, cercles."""
    harm_types = _in_pack_order("harm_types", tables.harm_types)
    harm_labels = [labels.label("by_harm_type", h) for h in harm_types]
    context_rows = []
    for context in _in_pack_order("interaction_contexts", tables.contexts):
        cells = [tables.context_harm.get((context, harm), (0, 0)) for harm in harm_types]
        if any(cell != (0, 0) for cell in cells):
            context_rows.append(
                (labels.label("by_context", context), [(_shown(i), _shown(p)) for i, p in cells])
            )
    contexts_in_trend = _in_pack_order("interaction_contexts", {k[1] for k in tables.year_context})
    trend_rows = [
        (year, [_shown(tables.year_context.get((year, c), 0)) for c in contexts_in_trend])
        for year in tables.years
    ]
    return {
        "harm_labels": harm_labels,
        "context_rows": context_rows,
        "trend_contexts": [labels.label("by_context", c) for c in contexts_in_trend],
        "trend_rows": trend_rows,
        "cercle_rows": [(labels.label("by_cercle", c), _shown(n)) for c, n in tables.cercles],
    }


@capability_required("view_patterns")
@require_GET
def patterns_page(request: HttpRequest) -> HttpResponse:
    form = PatternsFilterForm(request.GET or None)
    controlled = not sees_exact_figures(request)
    tables = _patterns(request, form, controlled=controlled)
    context = {
        "form": form,
        "tables": tables,
        "actor": actor_label(form.chosen_actor()),
        "query": form.query_string(),
        "export_note": export_note(tables.threshold),
        **pattern_rows(tables, DimensionLabels()),
    }
    return render(request, "web/dashboard/patterns.html", context)


@capability_required("view_patterns")
@require_GET
def patterns_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Always one disclosure-controlled release, whoever asks: it leaves the system."""
    if fmt not in ("csv", "xlsx"):
        raise Http404(fmt)
    form = PatternsFilterForm(request.GET or None)
    tables = _patterns(request, form, controlled=True)
    rows = pattern_rows(tables, DimensionLabels())
    heading = _heading(form, tables)
    audit.record(
        request.user.get_username(),
        "export",
        "patterns",
        details={"format": fmt, "filters": form.query_string(), "withheld": tables.withheld},
    )
    name = f"civharm-patterns-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return _csv(name, heading, rows)
    return _xlsx(name, heading, rows)


def _heading(form: PatternsFilterForm, tables: PatternTables) -> list[list[str]]:
    """Who, what and how protected: the first lines of every export."""
    data = form.selected()
    period = "–".join(
        f"{month[0]}-{month[1]:02d}" if month else "…"
        for month in (data.get("date_from"), data.get("date_to"))
    )
    return [
        [_("Note"), export_note(tables.threshold)],
        [_("Actor"), actor_label(form.chosen_actor())],
        [_("Period (months)"), period],
        [_("Generated on"), f"{timezone.localdate():%Y-%m-%d}"],
    ]


def _long_rows(rows: dict[str, Any]) -> list[list[Any]]:
    """Every table in one long list: table, category, harm type, incidents, people."""
    out: list[list[Any]] = []
    for context, cells in rows["context_rows"]:
        for harm, (incidents, people) in zip(rows["harm_labels"], cells, strict=True):
            out.append([_("contexts and harms"), context, harm, incidents, people])
    for year, cells in rows["trend_rows"]:
        for context, incidents in zip(rows["trend_contexts"], cells, strict=True):
            out.append([_("trend by year"), f"{year} · {context}", "", incidents, ""])
    for cercle, incidents in rows["cercle_rows"]:
        out.append([_("cercles with most incidents"), cercle, "", incidents, ""])
    return out


def _columns() -> list[str]:
    return [_("table"), _("category"), _("harm type"), _("incidents"), _("people (best estimate)")]


def _csv(name: str, heading: list[list[str]], rows: dict[str, Any]) -> HttpResponse:
    response, writer = csv_response(name)
    writer.writerows(heading)
    writer.writerow([])
    writer.writerow(_columns())
    writer.writerows(_long_rows(rows))
    return response


def _xlsx(name: str, heading: list[list[str]], rows: dict[str, Any]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    readme = book.active
    readme.title = _("Read me")[:31]
    for line in heading:
        readme.append(line)
    readme.column_dimensions["A"].width, readme.column_dimensions["B"].width = 18, 100
    matrix = book.create_sheet(_("Contexts and harms")[:31])
    matrix.append([heading[0][1]])
    matrix.append(
        [
            _("interaction context"),
            *(f"{h}: {_('incidents')}" for h in rows["harm_labels"]),
            *(f"{h}: {_('people')}" for h in rows["harm_labels"]),
        ]
    )
    for context, cells in rows["context_rows"]:
        matrix.append([context, *(i for i, _p in cells), *(p for _i, p in cells)])
    trend = book.create_sheet(_("Trend by year")[:31])
    trend.append([heading[0][1]])
    trend.append([_("year"), *rows["trend_contexts"]])
    for year, cells in rows["trend_rows"]:
        trend.append([year, *cells])
    cercles = book.create_sheet(_("Cercles")[:31])
    cercles.append([heading[0][1]])
    cercles.append([_("cercle"), _("incidents")])
    for row in rows["cercle_rows"]:
        cercles.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
