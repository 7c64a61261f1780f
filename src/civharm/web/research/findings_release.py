"""The counts behind the findings page: one record per (interview, theme coded in it), and the
disclosure-controlled release made of them.

Two releases, never more per audience (two releases protected separately can be subtracted
from one another, e.g. "from 19 February" minus "from 20 February" is one day's interviews):

- roles without `view_interviews` get ONE release of the whole research corpus, no filters,
  computed again only when the research data changes (`whole_corpus_release`);
- roles with `view_interviews` (they may read the interviews themselves, audited) may choose a
  whole region and a whole year or quarter (`filtered_release`); never a day.

Must never return a count that has not gone through protect_counts, nor a name or a date
finer than a year.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max

from civharm.disclosure import ProtectedRelease, TableSpec, protect_counts
from civharm.research.models import CodedExcerpt, Consent, ConsentWithdrawal, Interview, Interviewee
from civharm.research.outputs import theme_records
from civharm.web.dashboard.tables import small_cell_threshold

TABLES = (
    TableSpec("by_theme", ("theme",)),
    TableSpec("by_region", ("theme", "region")),
    TableSpec("by_year", ("theme", "year")),
    TableSpec("by_sex", ("theme", "sex")),
    TableSpec("by_age", ("theme", "age_band")),
)


@dataclass(frozen=True)
class FindingsRelease:
    """A protected release and the breakdown values its records hold (for the columns)."""

    release: ProtectedRelease
    regions: tuple[str, ...]
    years: tuple[str, ...]
    age_bands: tuple[str, ...]


def protect(records: list[dict[str, Any]]) -> FindingsRelease:
    """All five tables in ONE protect_counts call, so none can be subtracted from another."""
    release = protect_counts(records, TABLES, threshold=small_cell_threshold())

    def seen(name: str) -> tuple[str, ...]:
        return tuple(sorted({str(record[name]) for record in records}))

    return FindingsRelease(release, seen("region"), seen("year"), seen("age_band"))


def filtered_release(
    region_pcode: str | None, date_from: date | None, date_to: date | None
) -> FindingsRelease:
    """For roles that may read the interviews: a whole region, a whole year or quarter."""
    if not (region_pcode or date_from or date_to):
        return whole_corpus_release()
    return protect(theme_records(region_pcode, date_from, date_to))


# -- the whole-corpus release, cached ---------------------------------------------------


@dataclass
class _Cached:
    fingerprint: tuple[Any, ...]
    value: FindingsRelease


_cache: _Cached | None = None
_cache_lock = threading.Lock()


def research_fingerprint() -> tuple[Any, ...]:
    """Changes whenever an interview, an excerpt, a consent or a withdrawal is added, deleted
    or withdrawn (counts, last ids and times); cheap enough to ask on every page."""
    return (
        small_cell_threshold(),
        _stamp(Interview, "created_at"),
        _stamp(CodedExcerpt, "created_at"),
        _stamp(Consent, "withdrawn_at"),
        _stamp(Interviewee, "withdrawn_at"),
        _stamp(ConsentWithdrawal, "withdrawn_at"),
    )


def _stamp(model: Any, time_field: str) -> tuple[Any, ...]:
    figures = model.objects.aggregate(n=Count("id"), last=Max("id"), at=Max(time_field))
    return (figures["n"], figures["last"], figures["at"])


def whole_corpus_release() -> FindingsRelease:
    """The one release of the whole research corpus (no filter), rebuilt only when the
    research data changes."""
    global _cache
    with _cache_lock:  # one computation at a time: others wait for it rather than repeat it
        fingerprint = research_fingerprint()
        if _cache is not None and _cache.fingerprint == fingerprint:
            return _cache.value
        value = protect(theme_records())
        _cache = _Cached(fingerprint, value)
        return value


def forget_findings_release() -> None:
    """Drop the cached release (tests that switch databases)."""
    global _cache
    with _cache_lock:
        _cache = None
