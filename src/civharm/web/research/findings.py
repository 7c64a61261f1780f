"""The findings page for a region and period: the themes interviewees raised most (with their
breakdown by region, sex and age band), the top needs and protection gaps, and approved quotes.

Counts are of interviews and go through ONE disclosure-controlled release for the whole page
(small cells and what would give them away are withheld). Quotes carry a pseudonym only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civharm.accounts.permissions import capability_required
from civharm.core.gazetteer import Gazetteer
from civharm.disclosure import (
    SUPPRESSED_MARK,
    SUPPRESSION_NOTE,
    ProtectedRelease,
    TableSpec,
    protect_counts,
)
from civharm.incidents.models import SEXES
from civharm.research.models import THEME_GROUPS, Theme
from civharm.research.services import published_quotes, theme_frequencies
from civharm.web.dashboard.tables import small_cell_threshold
from civharm.web.research.forms import AGE_BANDS, FindingsFilterForm
from civharm.web.research.navigation import render_page

BREAKDOWNS = ("region", "sex", "age_band")
TABLES = (
    TableSpec("by_theme", ("theme",)),
    TableSpec("by_region", ("theme", "region")),
    TableSpec("by_sex", ("theme", "sex")),
    TableSpec("by_age", ("theme", "age_band")),
)
TOP_THEMES = 10
TOP_IN_GROUP = 5
QUOTES_SHOWN = 6
UNKNOWN = "unknown"  # how theme_frequencies marks a missing breakdown value


@dataclass
class ThemeRow:
    key: str
    label: str
    group: str
    group_label: str
    count: int | None  # None: withheld
    by_region: list[str | int] = field(default_factory=list)
    by_sex: list[str | int] = field(default_factory=list)
    by_age: list[str | int] = field(default_factory=list)

    @property
    def shown(self) -> str | int:
        return SUPPRESSED_MARK if self.count is None else self.count


def _shown(value: int | None) -> str | int:
    return SUPPRESSED_MARK if value is None else value


def _records(chosen: dict[str, Any]) -> list[dict[str, Any]]:
    """One record per (interview, theme coded in it) with its region, sex and age band.

    The service gives one breakdown per call, in the same (interview, theme) order each time;
    the three calls are zipped so that every table of the page comes from one release.
    """
    where = {
        "region_pcode": chosen.get("region") or None,
        "date_from": chosen.get("from"),
        "date_to": chosen.get("to"),
    }
    columns = [theme_frequencies(**where, by=name) for name in BREAKDOWNS]
    records = []
    for parts in zip(*columns, strict=True):
        record: dict[str, Any] = {"theme": parts[0]["theme"], "group": parts[0]["group"]}
        if any(part["theme"] != record["theme"] for part in parts):
            raise RuntimeError("theme_frequencies returned its records in different orders")
        for name, part in zip(BREAKDOWNS, parts, strict=True):
            record[name] = part[name]
        records.append(record)
    return records


def _release(records: list[dict[str, Any]]) -> ProtectedRelease:
    return protect_counts(records, TABLES, threshold=small_cell_threshold())


def _regions_seen(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(value, heading) of the regions the records hold; the service gives region names."""
    seen = sorted({str(r["region"]) for r in records} - {UNKNOWN})
    columns = [(name, name) for name in seen]
    if any(r["region"] == UNKNOWN for r in records):
        columns.append((UNKNOWN, str(_("unknown"))))
    return columns


def _theme_rows(
    release: ProtectedRelease, regions: list[tuple[str, str]], ages: list[tuple[str, Any]]
) -> list[ThemeRow]:
    """Every theme the release shows, most frequent first (withheld ones last)."""
    language = get_language() or "fr"
    themes = {t.key: t for t in Theme.objects.all()}
    groups = dict(THEME_GROUPS)
    rows = []
    for cell in release.table("by_theme").cells:
        key = cell.key[0]
        theme = themes.get(key)
        group = theme.group if theme else "other"
        row = ThemeRow(
            key,
            theme.label(language) if theme else key,
            group,
            str(groups.get(group, group)),
            cell.value,
            by_region=[_shown(release.table("by_region").value(key, p)) for p, _n in regions],
            by_sex=[_shown(release.table("by_sex").value(key, s)) for s, _l in SEXES],
            by_age=[_shown(release.table("by_age").value(key, a)) for a, _l in ages],
        )
        rows.append(row)
    rows.sort(key=lambda row: (row.count is None, -(row.count or 0), row.label))
    return rows


def _age_columns(records: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    """The age bands of the form in their order, then any other band the records hold, then
    "unknown"."""
    known = [(key or UNKNOWN, label) for key, label in AGE_BANDS[1:] + AGE_BANDS[:1]]
    listed = {key for key, _label in known}
    others = sorted({str(r["age_band"]) for r in records} - listed)
    return [*known[:-1], *((band, band) for band in others), known[-1]]


def _quotes(chosen: dict[str, Any]) -> list[dict[str, Any]]:
    quotes = published_quotes(
        region_pcode=chosen.get("region") or None,
        date_from=chosen.get("from"),
        date_to=chosen.get("to"),
    )
    return list(quotes)[:QUOTES_SHOWN]


def _in_group(rows: list[ThemeRow], group: str) -> list[ThemeRow]:
    return [row for row in rows if row.group == group][:TOP_IN_GROUP]


@capability_required("view_findings")
@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    form = FindingsFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    records = _records(chosen)
    release = _release(records)
    regions = _regions_seen(records)
    ages = _age_columns(records)
    rows = _theme_rows(release, regions, ages)
    threshold = release.threshold
    context = {
        "form": form,
        "top_themes": rows[:TOP_THEMES],
        "all_themes": rows,
        "regions": regions,
        "sexes": SEXES,
        "age_columns": ages,
        "needs": _in_group(rows, "needs"),
        "gaps": _in_group(rows, "protection_gaps"),
        "quotes": _quotes(chosen),
        "withheld": release.suppressed_count > 0,
        "disclosure_note": _(SUPPRESSION_NOTE).format(threshold=threshold),
        "region_name": dict(Gazetteer.load().admin1_units()).get(chosen.get("region") or ""),
    }
    return render_page(request, "web/research/findings.html", context)
