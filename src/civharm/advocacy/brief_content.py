"""The sections of a brief as texts and SVG, in the active language, from its one release.

Every figure printed here is read from `BriefFigures` (disclosure-controlled); a withheld
figure prints as "—". Never puts an incident code, a person, a name or a village in a brief.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from civharm.advocacy.brief_charts import SERIES_COLOURS, Series, bar_chart_svg, column_chart_svg
from civharm.advocacy.brief_figures import (
    ACTOR_JOINER,
    CURRENT,
    DOCUMENTED,
    ESTIMATE,
    INCIDENTS,
    PEOPLE_HARMS,
    PREVIOUS,
    REPORTS,
    BriefFigures,
    BriefPeriod,
    TimeBuckets,
)
from civharm.advocacy.brief_map import choropleth_svg
from civharm.core.taxonomy import load_taxonomy

DASH = "—"


def number(value: int | None) -> str:
    return DASH if value is None else number_format(value, force_grouping=True)


def harm_labels() -> dict[str, str]:
    return {
        "killed": _("killed"),
        "injured": _("injured"),
        "abducted": _("abducted or disappeared"),
    }


def people_labels() -> dict[str, str]:
    return {
        "killed": _("people killed"),
        "injured": _("people injured"),
        "abducted": _("people abducted or disappeared"),
    }


def _terms(name: str) -> dict[str, str]:
    taxonomy = load_taxonomy(settings.CIVHARM["COUNTRY_PACK"])
    language = translation.get_language() or "fr"
    return dict(taxonomy.choices(name, language))


def period_text(date_from: date, date_to: date) -> str:
    """ "January–December 2022", or "March 2021 – February 2022" across years."""
    if date_from.year == date_to.year:
        return _("{start}–{end} {year}").format(
            start=date_format(date_from, "F"), end=date_format(date_to, "F"), year=date_to.year
        )
    return _("{start} – {end}").format(
        start=date_format(date_from, "YEAR_MONTH_FORMAT"),
        end=date_format(date_to, "YEAR_MONTH_FORMAT"),
    )


def key_figures(figures: BriefFigures) -> list[dict[str, str]]:
    """Incidents, then each harm type's best count with its low–high range."""
    rows = [{"label": _("incidents"), "value": number(figures.key(INCIDENTS)), "range": ""}]
    for harm, label in people_labels().items():
        best = figures.key(harm)
        # The range only beside a shown best count: low <= best <= high would otherwise
        # bound a withheld best, which the release's own check cannot see (brief_figures
        # also withholds them in the release itself).
        low, high = figures.key(f"{harm}_low"), figures.key(f"{harm}_high")
        shown_range = best is not None and (low, high) != (best, best)
        rows.append(
            {
                "label": label,
                "value": number(best),
                "range": _("range {low}–{high}").format(low=number(low), high=number(high))
                if shown_range
                else "",
            }
        )
    return rows


def change_text(current: int | None, previous: int | None) -> str:
    if current is None or previous is None:
        return DASH
    if previous == 0:
        return _("new") if current else "0"
    change = round(100 * (current - previous) / previous)
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return _("{sign}{change} %").format(sign=sign, change=abs(change))


def trends(figures: BriefFigures) -> list[dict[str, str]]:
    """This period against the previous period of the same length."""
    rows = []
    for figure, label in [(INCIDENTS, _("incidents")), *people_labels().items()]:
        current, previous = figures.key(figure, CURRENT), figures.key(figure, PREVIOUS)
        rows.append(
            {
                "label": label,
                "current": number(current),
                "previous": number(previous),
                "change": change_text(current, previous),
            }
        )
    return rows


def _bucket_labels(buckets: TimeBuckets) -> list[str]:
    """ "Jan", or "Jan–Mar" for groups of months; with the year when the period spans two."""

    def day(month: str) -> date:
        return date(int(month[:4]), int(month[5:]), 1)

    several_years = buckets.months[0][:4] != buckets.months[-1][:4]
    pattern = "M y" if several_years else "M"
    labels = []
    for key in buckets.keys:
        first, last = buckets.span(key)
        text = date_format(day(first), pattern)
        if last != first:
            text = f"{text}–{date_format(day(last), pattern)}"
        labels.append(text)
    return labels


def time_caption(buckets: TimeBuckets) -> str:
    if buckets.size == 1:
        return _("People harmed by month (best counts).")
    return _(
        "People harmed by period of {months} months (best counts): months alone would hold "
        "too few incidents to be shown."
    ).format(months=buckets.size)


def _harm_series(figures: BriefFigures, table: str, categories: Sequence[str]) -> list[Series]:
    return [
        Series(label, tuple(figures.by(table, harm, c) for c in categories), colour)
        for (harm, label), colour in zip(harm_labels().items(), SERIES_COLOURS, strict=False)
    ]


def _ranked(figures: BriefFigures, table: str, labels: dict[str, str]) -> list[str]:
    """Categories with any people harmed, most shown people first. Withheld figures count as
    nothing here: ranking by them would tell their size."""
    present = figures.values_of(table)

    def shown_total(category: str) -> int:
        return sum(figures.by(table, harm, category) or 0 for harm in PEOPLE_HARMS)

    def any_harm(category: str) -> bool:
        return any(figures.by(table, harm, category) != 0 for harm in PEOPLE_HARMS)

    kept = [c for c in present if any_harm(c)]
    return sorted(kept, key=lambda c: (-shown_total(c), labels.get(c, c)))


def actor_labels(figures: BriefFigures) -> dict[str, str]:
    """Each actor category of the release by name: "A + B" for an incident's several alleged
    actors (one category, so that the rows add up to the total; see brief_figures.actor_key)."""
    names = _terms("actors")
    return {
        key: " + ".join(names.get(part, part) for part in key.split(ACTOR_JOINER))
        for key in figures.values_of("actor")
    }


def charts(figures: BriefFigures, period: BriefPeriod) -> dict[str, str]:
    buckets = figures.buckets
    actors, contexts = actor_labels(figures), _terms("interaction_contexts")
    by_actor = _ranked(figures, "actor", actors)
    by_context = _ranked(figures, "context", contexts)
    return {
        "month": column_chart_svg(
            _bucket_labels(buckets),
            _harm_series(figures, "month", buckets.keys),
            _("People harmed over time"),
        )
        if buckets.size
        else "",
        "actor": bar_chart_svg(
            [actors.get(a, a) for a in by_actor],
            _harm_series(figures, "actor", by_actor),
            _("People harmed, by alleged actor"),
        )
        if by_actor
        else "",
        "context": bar_chart_svg(
            [contexts.get(c, c) for c in by_context],
            _harm_series(figures, "context", by_context),
            _("People harmed, by interaction context"),
        )
        if by_context
        else "",
        "map": choropleth_svg(
            period.region_pcode,
            {c: figures.by("cercle", INCIDENTS, c) for c in figures.values_of("cercle")},
            title=_("Incidents by cercle"),
            legend_labels={"zero": _("no incident"), "suppressed": _("withheld")},
        ),
    }


def patterns(figures: BriefFigures) -> list[dict[str, Any]]:
    """Interaction context × harm: incidents and people harmed, and incidents before."""
    contexts = _terms("interaction_contexts")
    present = set(figures.values_of("context")) | set(figures.values_of("context", PREVIOUS))
    rows = []
    for key in [k for k in contexts if k in present]:
        cells = [figures.by("context", INCIDENTS, key)]
        cells += [figures.by("context", harm, key) for harm in PEOPLE_HARMS]
        previous = figures.by("context", INCIDENTS, key, PREVIOUS)
        rows.append(
            {
                "label": contexts[key],
                "cells": [number(v) for v in cells],
                "previous": number(previous),
                "change": change_text(cells[0], previous),
            }
        )
    return rows


def sources(figures: BriefFigures) -> list[dict[str, str]]:
    types = _terms("source_types")
    return [
        {"label": types.get(key, key), "reports": number(figures.by("source_type", REPORTS, key))}
        for key in figures.values_of("source_type")
    ]


def estimate_block(
    figures: BriefFigures, estimate: dict[str, Any] | None, *, partners_see_it: bool
) -> dict[str, Any]:
    """Documented vs estimated victims; the estimate is withheld with its documented count.
    `partners_see_it`: the partners' release shows the region's documented count; where it
    withholds it, so does the brief (the same figure must not be shown in one output and
    withheld in another)."""
    if estimate is None:
        return {"available": False}
    documented = figures.key(DOCUMENTED, ESTIMATE) if partners_see_it else None
    shown = documented is not None and estimate["total"] is not None
    return {
        "available": True,
        "documented": number(documented),
        "total": estimate["total_text"] if shown else DASH,
        "undocumented": estimate["undocumented_text"] if shown else DASH,
        "method": estimate["method_label"],
        "lists": len(estimate["lists"]),
        "withheld": documented is None,
        "warnings": estimate["warnings"] if shown else [],
    }


def method_texts(figures: BriefFigures, estimate: dict[str, Any] | None) -> dict[str, str]:
    """Notes on sources and method, and every text holding a per cent sign or a threshold
    (passed from here: Django's {% translate %} would look a per cent sign up as "%%")."""
    k = figures.threshold
    texts = {
        "controlled": _(
            "Controlled output: every figure in this brief went through disclosure control "
            "(threshold {k}) before it left the register."
        ).format(k=k),
        "suppression": _(
            "— : figure withheld so that no one can be identified: it is below {k}, or showing "
            "it would let such a figure be worked out from the others."
        ).format(k=k),
        "sources": _(
            "Each incident is counted once, however many reports describe it: reports from the "
            "sources below were linked into incidents, and a report counts under the incident "
            "it was linked to."
        ),
        "counting": _(
            "Incidents are dated by their start and placed by cercle. People are counted by the "
            "best estimate of each incident, with the low and high counts the sources give. "
            "Incidents graded as discounted, and incidents merged into another, are left out."
        ),
        "actors": _(
            "An incident with several alleged actors counts once, under all of them together "
            "(a row such as “A + B”), so the rows by actor add up to the total. An actor is "
            "alleged, not established."
        ),
        "disclosure": _(
            "Disclosure control: every figure from 1 to {small} is withheld, with the figures "
            "that would let it be worked out from the totals or the other tables; all the "
            "tables, charts and the map of this brief were protected together (k = {k})."
        ).format(small=k - 1, k=k),
    }
    if estimate is not None:
        texts["estimation"] = _(
            "Estimated victims: multiple systems estimation ({method}) from the overlaps of "
            "{lists} victim lists, for the region over all the years in the register, with its "
            "95% interval, rounded as that interval warrants."
        ).format(method=estimate["method_label"], lists=len(estimate["lists"]))
    else:
        texts["estimation"] = _(
            "No estimate stratified by region has been made yet: the figures are documented "
            "counts only, a floor."
        )
    return texts
