"""The controlled persons extract: people as a k-anonymous table that can be shared.

Quasi-identifiers only, generalised until every row is shared by at least k people; never a
name, pseudonym, incident code or source record id (see controlled_person_extract).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from civharm.core.gazetteer import Gazetteer
from civharm.disclosure import (
    Hierarchy,
    KAnonymityReport,
    check_k_anonymity,
    k_anonymise,
    place_hierarchy,
)
from civharm.disclosure.kanonymity import ANY, Generaliser, age_band, month_of, year_of
from civharm.incidents.models import Person


class ExtractNotAnonymous(Exception):
    """A controlled extract failed its k-anonymity check; nothing was written."""


# The extract's columns and their HXL hashtags.
CONTROLLED_COLUMN_TAGS = {
    "sex": "#affected+sex",
    "age_band": "#affected+age+band",
    "civilian_status": "#affected+status",
    "harm_type": "#affected+harm",
    "region": "#adm1+code",
    "cercle": "#adm2+code",
    "period_of_harm": "#date+harm",
}
# Every column is a quasi-identifier (a neighbour knows a victim's sex, rough age, village,
# when and how they were harmed, and whether they carried arms), so each written row is
# identical to at least k-1 others: the file tells nobody anything about one person.
# "place" (cercle, or region when only that is known) is split into region and cercle after.
CONTROLLED_QUASI_IDENTIFIERS = (
    "sex",
    "age_band",
    "civilian_status",
    "harm_type",
    "place",
    "period_of_harm",
)


@dataclass(frozen=True)
class ControlledExtract:
    rows: list[dict[str, object]]
    report: KAnonymityReport
    people: int  # persons in the register (merged duplicates not counted)
    generalised: int  # written rows with a value coarser than the extract's finest level

    def note(self) -> str:
        return _(
            "# civharm controlled extract: every row is shared by at least {k} people "
            "(k-anonymity, k = {k}); of {people} people, {generalised} rows were generalised "
            "and {suppressed} were withheld. No names, pseudonyms, incident codes or source "
            "record ids."
        ).format(
            k=self.report.k,
            people=self.people,
            generalised=self.generalised,
            suppressed=self.report.suppressed_rows,
        )

    def audit_details(self) -> dict[str, object]:
        return {
            "controlled": True,
            "k": self.report.k,
            "generalised": self.generalised,
            "suppressed": self.report.suppressed_rows,
            "levels": dict(self.report.levels),
        }


def _unless_blank(generaliser: Generaliser) -> Generaliser:
    def generalise(value: object) -> object:
        return None if value is None or value == "" else generaliser(value)

    return generalise


def _anything(value: object) -> object:
    return ANY


def _controlled_hierarchies(cercle_to_region: Mapping[str, str]) -> dict[str, Hierarchy]:
    """Age and date start at band and month: an exact age or day never goes out."""
    return {
        "age_band": Hierarchy((_unless_blank(age_band), _anything)),
        "period_of_harm": Hierarchy((_unless_blank(month_of), _unless_blank(year_of), _anything)),
        "place": place_hierarchy(cercle_to_region),
    }


def _controlled_source_rows() -> list[dict[str, object]]:
    """One row per person (merged duplicates left out), quasi-identifiers only."""
    queryset = (
        Person.objects.filter(merged_into__isnull=True)
        .order_by("id")
        .select_related("incident")
        .only(
            *("sex", "age", "age_band", "civilian_status", "harm_type", "date_of_harm"),
            *("incident__admin1_pcode", "incident__admin2_pcode", "incident__date_start"),
        )
    )
    rows = []
    for person in queryset.iterator(chunk_size=2000):
        incident = person.incident
        place = (incident.admin2_pcode or incident.admin1_pcode) if incident else ""
        rows.append(
            {
                "sex": person.sex,
                "age_band": person.age if person.age is not None else person.age_band,
                "civilian_status": person.civilian_status,
                "harm_type": person.harm_type,
                "place": place or None,
                "period_of_harm": person.date_of_harm or (incident and incident.date_start),
            }
        )
    return rows


def controlled_person_extract(k: int | None = None) -> ControlledExtract:
    """The persons as a k-anonymous extract (k = SMALL_CELL_THRESHOLD unless given).

    Unlike the normal persons export it carries no pseudonym, incident code or source record
    ids: those are unique per person (or per small group), so any of them would make every
    row a group of one, and a pseudonym or record id lets a reader join the extract back to
    the source lists, which do hold names. Provenance stays in the audited normal export.
    Raises ExtractNotAnonymous rather than return rows that fail the check.
    """
    k = int(settings.CIVHARM["SMALL_CELL_THRESHOLD"]) if k is None else k
    cercle_to_region = {pcode: region for pcode, _name, region in Gazetteer.load().admin2_units()}
    hierarchies = _controlled_hierarchies(cercle_to_region)
    source = _controlled_source_rows()
    finest = [
        {q: hierarchies[q].generalise(row[q], 0) if q in hierarchies else row[q] for q in row}
        | {"_index": i}
        for i, row in enumerate(source)
    ]
    kept, report = k_anonymise(finest, CONTROLLED_QUASI_IDENTIFIERS, k, hierarchies)
    generalised = sum(
        any(row[q] != finest[int(str(row["_index"]))][q] for q in CONTROLLED_QUASI_IDENTIFIERS)
        for row in kept
    )
    cercle_withheld = report.levels.get("place", 0) > 0
    # Sorted by value: in id order, row positions would line up with the pseudonyms of a
    # normal export (or of an earlier extract) and undo the grouping.
    rows = sorted(
        (_controlled_row(row, cercle_to_region, cercle_withheld) for row in kept),
        key=lambda row: [str(row[name]) for name in CONTROLLED_COLUMN_TAGS],
    )
    check = check_k_anonymity(rows, list(CONTROLLED_COLUMN_TAGS), k)
    if not check.ok:
        raise ExtractNotAnonymous(check.message)
    return ControlledExtract(rows, report, len(source), generalised)


def _controlled_row(
    row: Mapping[str, object], cercle_to_region: Mapping[str, str], cercle_withheld: bool
) -> dict[str, object]:
    place = row["place"]
    region: object
    cercle: object
    if place is None or place == ANY:
        region, cercle = place, place
    elif str(place) in cercle_to_region:
        region, cercle = cercle_to_region[str(place)], place
    else:
        region, cercle = place, None  # only the region was known
    out = {name: row[name] for name in CONTROLLED_QUASI_IDENTIFIERS if name != "place"}
    return out | {"region": region, "cercle": ANY if cercle_withheld else cercle}
