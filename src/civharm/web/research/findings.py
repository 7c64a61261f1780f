"""The findings page: the themes interviewees raised most (by region, year, sex and age band),
the top needs and protection gaps, and approved quotes.

Counts are of interviews and come from ONE disclosure-controlled release
(civharm.web.research.findings_release): the whole corpus without filters for roles that may
not read the interviews, a whole region and a whole year or quarter for those that may. Quotes
carry the published name and the year, never a day, a pseudonym or a place.

Must never offer a day filter, nor a filter to roles without `view_interviews`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civharm.accounts.permissions import capability_required
from civharm.core.gazetteer import Gazetteer
from civharm.disclosure import SUPPRESSED_MARK, SUPPRESSION_NOTE, ProtectedRelease
from civharm.incidents.models import SEXES
from civharm.research.models import THEME_GROUPS, Interview, Theme
from civharm.research.outputs import UNKNOWN
from civharm.research.services import published_quotes
from civharm.web.research.findings_release import (
    FindingsRelease,
    filtered_release,
    whole_corpus_release,
)
from civharm.web.research.forms import AGE_BANDS, FindingsFilterForm
from civharm.web.research.navigation import render_page

TOP_THEMES = 10
TOP_IN_GROUP = 5
QUOTES_SHOWN = 6


@dataclass
class ThemeRow:
    key: str
    label: str
    group: str
    group_label: str
    count: int | None  # None: withheld
    by_region: list[str | int] = field(default_factory=list)
    by_year: list[str | int] = field(default_factory=list)
    by_sex: list[str | int] = field(default_factory=list)
    by_age: list[str | int] = field(default_factory=list)

    @property
    def shown(self) -> str | int:
        return _shown(self.count)


def _shown(value: int | None) -> str | int:
    return SUPPRESSED_MARK if value is None else value


def _with_unknown_last(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """(value, heading) for each value, "unknown" last under its translated heading."""
    columns = [(value, value) for value in values if value != UNKNOWN]
    if UNKNOWN in values:
        columns.append((UNKNOWN, str(_("unknown"))))
    return columns


def _age_columns(bands: tuple[str, ...]) -> list[tuple[str, Any]]:
    """The form's age bands in their order, then any other band the records hold, then
    "unknown"."""
    known = [(key or UNKNOWN, label) for key, label in AGE_BANDS[1:] + AGE_BANDS[:1]]
    listed = {key for key, _label in known}
    others = sorted(set(bands) - listed)
    return [*known[:-1], *((band, band) for band in others), known[-1]]


def _breakdown(release: ProtectedRelease, table: str, key: str, columns: list) -> list[str | int]:
    return [_shown(release.table(table).value(key, value)) for value, _heading in columns]


def _theme_rows(release: ProtectedRelease, columns: dict[str, list]) -> list[ThemeRow]:
    """Every theme the release shows, most frequent first (withheld ones last)."""
    language = get_language() or "fr"
    themes = {t.key: t for t in Theme.objects.all()}
    groups = dict(THEME_GROUPS)
    rows = []
    for cell in release.table("by_theme").cells:
        key = cell.key[0]
        theme = themes.get(key)
        group = theme.group if theme else "other"
        row = ThemeRow(key, theme.label(language) if theme else key, group,
                       str(groups.get(group, group)), cell.value)  # fmt: skip
        row.by_region = _breakdown(release, "by_region", key, columns["regions"])
        row.by_year = _breakdown(release, "by_year", key, columns["years"])
        row.by_sex = _breakdown(release, "by_sex", key, columns["sexes"])
        row.by_age = _breakdown(release, "by_age", key, columns["ages"])
        rows.append(row)
    rows.sort(key=lambda row: (row.count is None, -(row.count or 0), row.label))
    return rows


def _quotes(region: str | None, period: tuple[date | None, date | None]) -> list[dict[str, Any]]:
    """The latest approved quotes: words, published name, region and year only."""
    quotes = published_quotes(region_pcode=region, date_from=period[0], date_to=period[1])
    return [
        {
            "text": quote["text"],
            # the quote's own published name (a first name drawn at approval), never the
            # interviewee's T-… pseudonym: outputs.published_quotes gives it under this key
            "name": quote.get("pseudonym") or "",
            "note": quote.get("note", ""),
            "region": quote.get("region", ""),
            "year": quote.get("year", ""),
        }
        for quote in list(quotes)[:QUOTES_SHOWN]
    ]


def _in_group(rows: list[ThemeRow], group: str) -> list[ThemeRow]:
    return [row for row in rows if row.group == group][:TOP_IN_GROUP]


def _interview_years() -> list[int]:
    return [day.year for day in Interview.objects.dates("interviewed_on", "year", order="DESC")]


def _chosen(request: HttpRequest) -> tuple[FindingsFilterForm | None, str | None, tuple]:
    """The filter form (roles that may read the interviews only), its region and period."""
    if not request.user.can("view_interviews"):
        return None, None, (None, None)  # one fixed release: whatever the address asks
    form = FindingsFilterForm(request.GET or None, years=_interview_years())
    region = form.cleaned_data.get("region") or None if form.is_valid() else None
    return form, region, form.period()


def _release_context(found: FindingsRelease) -> dict[str, Any]:
    columns = {
        "regions": _with_unknown_last(found.regions),
        "years": [(year, year) for year in found.years],
        "sexes": list(SEXES),
        "ages": _age_columns(found.age_bands),
    }
    rows = _theme_rows(found.release, columns)
    return {
        "top_themes": rows[:TOP_THEMES],
        "regions": columns["regions"],
        "years": columns["years"],
        "sexes": SEXES,
        "age_columns": columns["ages"],
        "needs": _in_group(rows, "needs"),
        "gaps": _in_group(rows, "protection_gaps"),
        "withheld": found.release.suppressed_count > 0,
        "disclosure_note": _(SUPPRESSION_NOTE).format(threshold=found.release.threshold),
    }


@capability_required("view_findings")
@require_GET
def findings(request: HttpRequest) -> HttpResponse:
    form, region, period = _chosen(request)
    found = whole_corpus_release() if form is None else filtered_release(region, *period)
    context = {
        "form": form,
        **_release_context(found),
        "quotes": _quotes(region, period),
        "region_name": dict(Gazetteer.load().admin1_units()).get(region or ""),
    }
    return render_page(request, "web/research/findings.html", context)
