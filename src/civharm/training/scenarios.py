"""Scenario bank: case studies for a training module built from how harm really happens.

The figures of a scenario (incidents and people harmed in one interaction context, region and
whole calendar years, attributed to one category of actor) pass through ONE disclosure-controlled
release, then the minimum-contributors rule; the text quotes only shown cells. Never names a
person, a pseudonym, an incident code, a village, nor a date finer than a month; never builds a
period that overlaps another scenario's of the same kind without being identical to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.advocacy.brief_data import period_months
from civharm.advocacy.brief_figures import TimeBuckets, actor_key, choose_time_buckets
from civharm.analysis.dashboard import DashboardFilter, unit_records
from civharm.analysis.snapshot import register_snapshot
from civharm.core.gazetteer import Gazetteer
from civharm.core.i18n import N_
from civharm.core.taxonomy import load_taxonomy
from civharm.disclosure import (
    PRIMARY,
    SUPPRESSED_MARK,
    SUPPRESSION_NOTE,
    ProtectedCell,
    ProtectedTable,
    TableSpec,
    protect_counts,
)
from civharm.disclosure.tables import ProtectedRelease
from civharm.training.errors import TrainingError
from civharm.training.models import Scenario, TrainingModule

INCIDENTS = "incidents"
NONE = ""  # a breakdown that does not apply to a record
TABLES = (
    TableSpec("key", ("figure",)),
    TableSpec("time", ("figure", "bucket")),
    TableSpec("cercle", ("figure", "cercle")),
    TableSpec("actor", ("figure", "actor")),
)
BREAKDOWNS = ("bucket", "cercle", "actor")

# How such an interaction typically unfolds, written from the public literature on civilian
# harm mitigation (CIVIC, ICRC): no incident of the register is described.
TYPICAL_SEQUENCES = {
    "checkpoint": N_(
        "A fixed or improvised checkpoint on a road used by traders, herders and buses. "
        "Travellers are stopped, searched and questioned; tension rises when identity papers "
        "are missing, when a vehicle does not stop, or when a traveller is suspected because "
        "of his community. Harm follows shots fired at a vehicle, beatings, extortion, or "
        "people taken away from the checkpoint."
    ),
    "search_cordon": N_(
        "A village or market is cordoned off at dawn and houses are searched for weapons or "
        "suspects. Men are gathered and screened, often by community or appearance. Harm "
        "follows force used during searches, property destroyed, and people detained or "
        "taken away without record."
    ),
    "arrest_detention": N_(
        "Suspects are arrested during an operation or after a denunciation and held at a "
        "camp or post. Families are not told where they are. Harm follows ill-treatment "
        "during questioning, detention without legal basis, and disappearances."
    ),
    "patrol": N_(
        "A mounted or motorised patrol moves through villages and pastures. Encounters with "
        "herders, farmers and people on the road are tense; a fleeing person is taken for a "
        "fighter. Harm follows shots at people who run, mistreatment and looting."
    ),
    "ground_operation": N_(
        "A larger operation sweeps an area held or crossed by armed groups, often for days. "
        "Civilians remain in the villages; the distinction between fighters and residents is "
        "made on the spot. Harm follows killings, arrests, burnt houses and granaries, and "
        "displacement."
    ),
    "air_drone_strike": N_(
        "An aircraft or drone strikes a target identified from the air or from intelligence: "
        "a gathering, a vehicle, a market, a wedding. Harm follows when the target was not "
        "verified, when civilians were present, or when the weapon's effects reached beyond "
        "the target."
    ),
    "ied_landmine": N_(
        "An explosive device is laid on a road or track used by both forces and civilians. "
        "Harm follows when civilian vehicles pass first, and in the reprisals or searches "
        "that follow an explosion against forces."
    ),
    "attack_on_village": N_(
        "A village is entered by armed men, sometimes after an attack on forces nearby or "
        "suspicion of support for an armed group. Harm follows killings, burnt houses, "
        "looted livestock and the flight of the population."
    ),
}
GENERIC_SEQUENCE = N_(
    "Forces and civilians meet in a tense setting where the distinction between fighters and "
    "residents must be made quickly. Harm follows when precautions are not taken, or when "
    "suspicion falls on a whole community."
)
DISCUSSION = (
    N_("At which moments of this sequence could the unit have reduced the risk to civilians?"),
    N_("What precautions, rules of engagement and orders apply at each step?"),
    N_(
        "If civilians are harmed, how should the unit report it, acknowledge it and respond "
        "to the families?"
    ),
)
OBJECTIVE_QUESTION = N_("How does this case bear on the learning objective: “{objective}”?")
CONTRIBUTORS_NOTE = N_(
    "A number of people is shown only when at least {threshold} incidents lie behind it."
)
OTHER_HARM = N_("Other types of harm: {mark}")
# A withheld breakdown row is not listed by name ("Djenné: —" would tell that at least one
# incident happened there): the shown rows are listed, then one line for all the others.
OTHER_ROWS = {
    "time": N_("Other periods: {mark}"),
    "cercle": N_("Other cercles: {mark}"),
    "actor": N_("Other alleged actors: {mark}"),
}
OVERLAP_REFUSAL = N_(
    "A scenario of the same region, interaction context and actors already covers {period}: "
    "a period that overlaps it without being the same is refused, because subtracting the "
    "two scenarios' figures would reveal the incidents of the years that differ; build "
    "exactly {period} or a period that does not overlap it."
)


@dataclass(frozen=True)
class ScenarioRequest:
    module: TrainingModule | None
    region_pcode: str
    region_name: str
    period_from: date
    period_to: date
    context: str
    actor_category: str


def incident_figure_records(
    rows: Iterable[Mapping[str, Any]], buckets: TimeBuckets, harm_types: Iterable[str]
) -> Iterator[dict[str, Any]]:
    """Per incident, one record counting it (with its time bucket, cercle and actor set) and
    one per harm type with its best count (no breakdown: the key figures only). Each table is
    then a partition of its figure's total, so no joint count can be derived."""
    wanted = tuple(harm_types)
    for row in rows:
        yield {
            "figure": INCIDENTS,
            "bucket": buckets.bucket_of(str(row["month"])[:7]),
            "cercle": row["cercle"] or NONE,
            "actor": actor_key(a for a in row["actor"] if a),
            "value": 1,
        }
        for harm in wanted:
            if row.get(harm):
                yield dict.fromkeys(BREAKDOWNS, NONE) | {"figure": harm, "value": int(row[harm])}


def protect_scenario_figures(
    records: Iterable[Mapping[str, Any]], threshold: int
) -> ProtectedRelease:
    """The scenario's one release: small-cell and secondary suppression of every table
    together, then the minimum-contributors rule on the people figures."""
    wanted = list(records)
    release = protect_counts(wanted, TABLES, measure="value", threshold=threshold)
    return withhold_thin_people_figures(release, wanted, threshold)


def withhold_thin_people_figures(
    release: ProtectedRelease, records: Iterable[Mapping[str, Any]], threshold: int
) -> ProtectedRelease:
    """The minimum-contributors rule: a number of people (any figure but the incident count)
    is withheld when fewer than `threshold` incidents contribute to it (have a non-zero count
    of that harm in that row), or when its row's incident count — the total, or the time
    bucket, cercle or actor set of the cell — is withheld or below `threshold`.

    Small-cell suppression alone withholds only sums below k: "47 households displaced" from
    one incident would be shown and would describe that one incident. Zeros are withheld
    under the same rule (0 contributors < k), so "—" never says that someone was harmed.
    This is the only place the rule is applied; the text and Scenario.figures both read the
    release it returns."""
    contributors = _contributors(release, records)
    tables = {}
    for name, table in release.tables.items():
        cells = tuple(
            _thin(cell) if _too_thin(release, name, cell, contributors, threshold) else cell
            for cell in table.cells
        )
        tables[name] = ProtectedTable(table.spec, cells)
    return ProtectedRelease(release.threshold, tables)


def _contributors(
    release: ProtectedRelease, records: Iterable[Mapping[str, Any]]
) -> dict[tuple[str, tuple[str, ...]], int]:
    """{(table, cell key): how many records hold a non-zero value in that cell}."""
    counts: dict[tuple[str, tuple[str, ...]], int] = {}
    for record in records:
        if record["figure"] == INCIDENTS or not record["value"]:
            continue
        for name, table in release.tables.items():
            key = (name, tuple(str(record[d]) for d in table.spec.dimensions))
            counts[key] = counts.get(key, 0) + 1
    return counts


def _too_thin(
    release: ProtectedRelease,
    table: str,
    cell: ProtectedCell,
    contributors: Mapping[tuple[str, tuple[str, ...]], int],
    threshold: int,
) -> bool:
    if cell.key[0] == INCIDENTS:
        return False  # incident counts are protected by the release itself
    breakdown = cell.key[1:]
    if any(breakdown):
        row_incidents = release.table(table).value(INCIDENTS, *breakdown)
    else:  # a figure that does not apply to this breakdown: its row is the total
        row_incidents = release.table("key").value(INCIDENTS)
    if row_incidents is None or row_incidents < threshold:
        return True
    return contributors.get((table, cell.key), 0) < threshold


def _thin(cell: ProtectedCell) -> ProtectedCell:
    return ProtectedCell(cell.key, None, PRIMARY)


def _threshold() -> int:
    return int(settings.CIVHARM["SMALL_CELL_THRESHOLD"])


def _shown(value: int | None) -> str:
    return SUPPRESSED_MARK if value is None else str(value)


def _month(key: str) -> str:
    return date_format(date(int(key[:4]), int(key[5:7]), 1), "F Y")


def _labels(terms: Iterable[Any], language: str) -> dict[str, str]:
    return {term.key: term.label(language) for term in terms}


def _figure_lines(release: ProtectedRelease, harm_labels: Mapping[str, str]) -> list[str]:
    """The incident count, each harm type whose number of people is shown, then one line for
    every other harm type (withheld or zero: a reader cannot tell which harm occurred)."""
    key = release.table("key")
    lines = [_("Incidents: {count}").format(count=_shown(key.value(INCIDENTS)))]
    for harm, label in harm_labels.items():
        cell = key.cell(harm)
        if cell is not None and cell.value is not None:
            lines.append(_("{harm}: {count}").format(harm=label, count=cell.value))
    if len(lines) - 1 < len(harm_labels):
        lines.append(_(OTHER_HARM).format(mark=SUPPRESSED_MARK))
    return lines


def _breakdown_lines(
    release: ProtectedRelease, table: str, label_of: Mapping[str, str]
) -> list[str]:
    """The shown rows by name; withheld rows only as one "others: —" line (see OTHER_ROWS)."""
    cells = [c for c in release.table(table).cells if c.key[0] == INCIDENTS]
    shown = sorted((c for c in cells if c.value is not None and c.key[1]), key=lambda c: c.key)
    lines = [f"- {label_of.get(c.key[1], c.key[1])}: {c.value}" for c in shown]
    if any(c.value is None for c in cells):
        lines.append("- " + _(OTHER_ROWS[table]).format(mark=SUPPRESSED_MARK))
    return lines


def _bucket_labels(buckets: TimeBuckets) -> dict[str, str]:
    labels = {}
    for key in buckets.keys:
        first, last = buckets.span(key)
        labels[key] = _month(first) if first == last else f"{_month(first)} – {_month(last)}"
    return labels


def _actor_labels(release: ProtectedRelease, actors: Mapping[str, str]) -> dict[str, str]:
    keys = {c.key[1] for c in release.table("actor").cells if c.key[1]}
    return {key: " + ".join(actors.get(part, part) for part in key.split("+")) for key in keys}


def _objective_questions(module: TrainingModule | None) -> list[str]:
    version = module.current_version if module is not None else None
    objectives = version.objective_lines if version is not None else []
    return [_(OBJECTIVE_QUESTION).format(objective=line) for line in objectives]


def scenario_title(request: ScenarioRequest, context_label: str) -> str:
    return _("{context} in {region}, {start} to {end}").format(
        context=context_label,
        region=request.region_name,
        start=request.period_from.year,
        end=request.period_to.year,
    )


def scenario_text(
    request: ScenarioRequest, release: ProtectedRelease, buckets: TimeBuckets, language: str
) -> str:
    """The case study in `language`: situation, figures (shown cells only), typical sequence
    and discussion questions."""
    taxonomy = load_taxonomy()
    contexts = _labels(taxonomy.interaction_contexts, language)
    categories = _labels(taxonomy.actor_categories, language)
    context_label = contexts.get(request.context, request.context)
    cercles = {p: name for p, name, _r in Gazetteer.load().admin2_units(request.region_pcode)}
    situation = _(
        "Interaction context: {context}. Region: {region}. Period: {start} to {end}. "
        "Incidents in which {category} are alleged to have harmed civilians, as recorded "
        "in the register (allegations, not findings)."
    ).format(
        context=context_label,
        region=request.region_name,
        start=request.period_from.year,
        end=request.period_to.year,
        category=categories.get(request.actor_category, request.actor_category),
    )
    figures = _figure_lines(release, _labels(taxonomy.harm_types, language))
    if buckets.size:
        figures += [_("Incidents over time:")]
        figures += _breakdown_lines(release, "time", _bucket_labels(buckets))
    figures += [_("Incidents by cercle:"), *_breakdown_lines(release, "cercle", cercles)]
    actor_labels = _actor_labels(release, _labels(taxonomy.actors, language))
    figures += [_("Incidents by alleged actors:")]
    figures += _breakdown_lines(release, "actor", actor_labels)
    if any(SUPPRESSED_MARK in line for line in figures):
        figures.append(_(SUPPRESSION_NOTE).format(threshold=release.threshold))
        figures.append(_(CONTRIBUTORS_NOTE).format(threshold=release.threshold))
    sequence = _(TYPICAL_SEQUENCES.get(request.context, GENERIC_SEQUENCE))
    questions = [_(q) for q in DISCUSSION] + _objective_questions(request.module)
    sections = [
        [scenario_title(request, context_label)],
        [_("The situation"), situation],
        [_("What the figures show"), *figures],
        [_("How such incidents typically unfold"), sequence],
        [_("Questions for discussion"), *(f"- {q}" for q in questions)],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections)


def release_figures(release: ProtectedRelease, buckets: TimeBuckets) -> dict[str, Any]:
    """What the scenario quotes, for the Scenario.figures column: every cell of the release,
    withheld ones as null (shown as "—"), and never which kind of suppression it was."""
    return {
        "threshold": release.threshold,
        "months_per_bucket": buckets.size,
        "tables": {
            name: [{"key": list(cell.key), "value": cell.value} for cell in table.cells]
            for name, table in release.tables.items()
        },
    }


def _region_name(region_pcode: str) -> str:
    names = dict(Gazetteer.load().admin1_units())
    return names.get(region_pcode, region_pcode)


def build_scenario(
    module: TrainingModule | None,
    region_pcode: str,
    first_year: int,
    last_year: int,
    context: str,
    *,
    actor: Any,
    actor_category: str = "state_forces",
) -> Scenario:
    """Build, store and audit a case study of whole calendar years `first_year`..`last_year`.
    `actor` is the user (or username) building it. Raises TrainingError when the period
    overlaps another scenario's of the same region, context and actor category without being
    identical to it (see refuse_overlapping_period)."""
    period_from, period_to = whole_years(first_year, last_year)
    refuse_overlapping_period(region_pcode, context, actor_category, period_from, period_to)
    request = ScenarioRequest(
        module, region_pcode, _region_name(region_pcode), period_from, period_to, context,
        actor_category,
    )  # fmt: skip
    release, buckets = _release(request)
    language = translation.get_language() or "fr"
    contexts = _labels(load_taxonomy().interaction_contexts, language)
    scenario = Scenario.objects.create(
        module=module,
        title=scenario_title(request, contexts.get(context, context)),
        region_pcode=region_pcode,
        period_from=period_from,
        period_to=period_to,
        context=context,
        actor_category=actor_category,
        text=scenario_text(request, release, buckets, language),
        figures=release_figures(release, buckets),
        built_by=_username(actor),
    )
    audit.record(
        _username(actor), "create", "Scenario", scenario.pk,
        details={
            "region": region_pcode, "context": context, "actor_category": actor_category,
            "period": f"{period_from:%Y}/{period_to:%Y}",
            "withheld": release.suppressed_count,
        },
    )  # fmt: skip
    return scenario


def _release(request: ScenarioRequest) -> tuple[ProtectedRelease, TimeBuckets]:
    wanted = DashboardFilter(
        date_from=request.period_from, date_to=request.period_to, region=request.region_pcode,
        actor_category=request.actor_category, context=request.context,
    )  # fmt: skip
    rows = list(unit_records(register_snapshot().connection, wanted))
    threshold = _threshold()
    months = period_months(request.period_from, request.period_to)
    buckets = choose_time_buckets(months, len(rows), threshold)
    harm_types = load_taxonomy().keys("harm_types")
    records = incident_figure_records(rows, buckets, harm_types)
    return protect_scenario_figures(records, threshold), buckets


def whole_years(first_year: int, last_year: int) -> tuple[date, date]:
    """1 January of the first year to 31 December of the last. Periods are whole years so that
    two scenarios can only differ by whole years (see refuse_overlapping_period)."""
    if last_year < first_year:
        raise TrainingError(_("The end of the period cannot come before its start."))
    return date(int(first_year), 1, 1), date(int(last_year), 12, 31)


def refuse_overlapping_period(
    region_pcode: str, context: str, actor_category: str, period_from: date, period_to: date
) -> None:
    """Refuse a period that overlaps, without being identical to, the period of a scenario of
    the same region, context and actor category: subtracting the two scenarios' figures would
    give those of the years that differ, which were never protected on their own (two
    scenarios of 2019–2024 and 2020–2024 give away the incidents of 2019). The identical
    period shows the same figures; a period that does not overlap shares no incident.
    A scenario stored without a category (built before it was stored) counts as the same."""
    same_kind = Scenario.objects.filter(region_pcode=region_pcode, context=context).filter(
        Q(actor_category=actor_category) | Q(actor_category="")
    )
    clash = (
        same_kind.filter(period_from__lte=period_to, period_to__gte=period_from)
        .exclude(period_from=period_from, period_to=period_to)
        .order_by("period_from", "period_to")
        .first()
    )
    if clash is not None and clash.period_from and clash.period_to:
        raise TrainingError(_(OVERLAP_REFUSAL).format(period=_years(clash)))


def _years(scenario: Scenario) -> str:
    start, end = scenario.period_from, scenario.period_to
    if start is None or end is None:
        return ""
    return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"


def _username(actor: Any) -> str:
    return str(getattr(actor, "username", actor))
