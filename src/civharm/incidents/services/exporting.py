"""Exports of the register (CSV, XLSX, GeoJSON, HXL), each row with its source record ids.

Persons are exported by pseudonym; names and contacts only with an authorised user's
identity export, which is audited. A controlled persons extract, for sharing, is
k-anonymous and carries no pseudonym or id at all. Spreadsheet formulas are neutralised.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.accounts.models import User
from civharm.core.protection import FieldCipher
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import Incident, Person, Report, VictimRecord, incident_code
from civharm.incidents.protection import field_cipher
from civharm.incidents.services.controlled_extract import (
    CONTROLLED_COLUMN_TAGS,
    ExtractNotAnonymous,
    controlled_person_extract,
)

FORMATS = ("csv", "xlsx", "geojson", "hxl")
KINDS = ("incidents", "reports", "persons")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportDenied(Exception):
    """The user may not export what was asked (e.g. identities without the capability)."""


@dataclass(frozen=True)
class Column:
    name: str
    hxl: str


def neutralise(value: object) -> object:
    """Text a spreadsheet would execute ('=HYPERLINK(…)', '+1', '@SUM') is prefixed with '."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


PLACE_COLUMNS = [
    Column("place_name", "#loc+name"),
    Column("admin1_pcode", "#adm1+code"),
    Column("admin1_name", "#adm1+name"),
    Column("admin2_pcode", "#adm2+code"),
    Column("admin2_name", "#adm2+name"),
    Column("admin3_pcode", "#adm3+code"),
    Column("admin3_name", "#adm3+name"),
    Column("latitude", "#geo+lat"),
    Column("longitude", "#geo+lon"),
    Column("geo_precision", "#geo+precision"),
]
DATE_COLUMNS = [
    Column("date_start", "#date+start"),
    Column("date_end", "#date+end"),
    Column("date_precision", "#date+precision"),
]


def _harm_columns() -> list[Column]:
    columns = []
    for key in load_taxonomy().keys("harm_types"):
        columns += [
            Column(f"{key}_low", f"#affected+{key}+min"),
            Column(f"{key}_best", f"#affected+{key}"),
            Column(f"{key}_high", f"#affected+{key}+max"),
        ]
    return columns


def _source_ids(reports: list[Report]) -> str:
    return "|".join(f"{r.source.name}:{r.record_id}" for r in reports)


def incident_rows(
    incidents: QuerySet[Incident] | None = None,
) -> tuple[list[Column], Iterator[dict[str, object]]]:
    """Rows of `incidents` (a filtered queryset, e.g. the web register's) or of them all."""
    columns = [
        Column("code", "#event+code"),
        *DATE_COLUMNS,
        *PLACE_COLUMNS,
        Column("perpetrators", "#group+perpetrator"),
        Column("interaction_context", "#event+context"),
        *_harm_columns(),
        Column("assessment_grade", "#status+grade"),
        Column("review_status", "#status+review"),
        Column("source_record_ids", "#meta+source_ids"),
    ]
    # an incident merged into another by linkage counts in it: never a row of its own
    base = Incident.objects.filter(merged_into__isnull=True) if incidents is None else incidents
    queryset = base.order_by("id").prefetch_related(
        "harm_counts",
        "perpetrators",
        Prefetch(
            "reports",
            queryset=Report.objects.select_related("source").only(
                "record_id", "incident_id", "source__name"
            ),
        ),
    )

    def rows() -> Iterator[dict[str, object]]:
        for incident in queryset.iterator(chunk_size=2000):
            row: dict[str, object] = {c.name: getattr(incident, c.name, "") for c in columns[:14]}
            row["perpetrators"] = "|".join(sorted(a.key for a in incident.perpetrators.all()))
            row["interaction_context"] = incident.interaction_context
            for count in incident.harm_counts.all():
                for part in ("low", "best", "high"):
                    row[f"{count.harm_type}_{part}"] = getattr(count, part)
            row["assessment_grade"] = incident.assessment_grade
            row["review_status"] = incident.review_status
            row["source_record_ids"] = _source_ids(list(incident.reports.all()))
            yield row

    return columns, rows()


def report_rows() -> tuple[list[Column], Iterator[dict[str, object]]]:
    columns = [
        Column("source", "#meta+source"),
        Column("record_id", "#meta+record_id"),
        Column("kind", "#meta+kind"),
        Column("source_format", "#meta+format"),
        Column("row_number", "#meta+row"),
        *DATE_COLUMNS,
        *PLACE_COLUMNS,
        Column("actors", "#group+name"),
        Column("interaction_context", "#event+context"),
        *_harm_columns(),
        Column("source_reference", "#meta+reference"),
        Column("reliability", "#meta+reliability"),
        Column("credibility", "#meta+credibility"),
        Column("incident", "#event+code"),
        Column("source_record_ids", "#meta+source_ids"),
    ]
    queryset = Report.objects.order_by("id").select_related("source").defer("payload")

    def rows() -> Iterator[dict[str, object]]:
        for report in queryset.iterator(chunk_size=2000):
            row: dict[str, object] = {c.name: getattr(report, c.name, "") for c in columns}
            row["source"] = report.source.name
            row["actors"] = "|".join(a["name"] for a in report.actors)
            # A victim report's description can name people: only event descriptions go out.
            for key, (low, best, high) in report.harm.items():
                row.update({f"{key}_low": low, f"{key}_best": best, f"{key}_high": high})
            row["incident"] = incident_code(report.incident_id)
            row["source_record_ids"] = f"{report.source.name}:{report.record_id}"
            yield row

    return columns, rows()


def person_rows(with_identities: bool) -> tuple[list[Column], Iterator[dict[str, object]]]:
    columns = [
        Column("pseudonym", "#affected+id"),
        Column("sex", "#affected+sex"),
        Column("age", "#affected+age"),
        Column("age_band", "#affected+age+band"),
        Column("civilian_status", "#affected+status"),
        Column("harm_type", "#affected+harm"),
        Column("date_of_harm", "#date+harm"),
        Column("incident", "#event+code"),
        Column("sources", "#meta+source"),
        Column("source_record_ids", "#meta+source_ids"),
    ]
    if with_identities:
        columns += [
            Column("name", "#affected+name"),
            # as each of the person's lists wrote it (tells namesakes apart when paying)
            Column("father_name", "#affected+name+father"),
            Column("contact", "#contact"),
        ]
    fields = ["person_id", "report__record_id", "report__source__name"]
    records = (
        VictimRecord.objects.select_related("report__source")
        .only(*fields, *(["father_name_encrypted"] if with_identities else []))
        .order_by("report__source__name", "report__record_id")
    )
    live = Person.objects.filter(merged_into__isnull=True)  # a merged person is in its target
    queryset: QuerySet[Person] = live.order_by("id").prefetch_related(
        Prefetch("records", queryset=records)
    )
    cipher = field_cipher()

    def rows() -> Iterator[dict[str, object]]:
        for person in queryset.iterator(chunk_size=2000):
            reports = [record.report for record in person.records.all()]
            row: dict[str, object] = {c.name: getattr(person, c.name, "") for c in columns[:7]}
            row["incident"] = person.incident_code
            row["sources"] = "|".join(sorted({r.source.name for r in reports}))
            row["source_record_ids"] = _source_ids(reports)
            if with_identities:
                row["name"] = cipher.decrypt(person.name_encrypted)
                row["father_name"] = _fathers(cipher, person.records.all())
                row["contact"] = cipher.decrypt(person.contact_encrypted)
            yield row

    return columns, rows()


def _fathers(cipher: FieldCipher, records: Iterable[VictimRecord]) -> str:
    """The father's name as each of a person's victim records wrote it, after the record's
    source and id ("ONG:12: fils de X et de Y": kept whole, the mother helps identify too)."""
    fathers = []
    for record in records:
        father = cipher.decrypt(record.father_name_encrypted)
        if father:
            fathers.append(f"{record.report.source.name}:{record.report.record_id}: {father}")
    return " | ".join(fathers)


# -- controlled persons extract (civharm.incidents.services.controlled_extract) -----------

CONTROLLED_FORMATS = ("csv", "xlsx")
CONTROLLED_COLUMNS = [Column(name, hxl) for name, hxl in CONTROLLED_COLUMN_TAGS.items()]


def _check_controlled_export(kind: str, fmt: str, with_identities: bool) -> None:
    if kind != "persons":
        raise ExportDenied(_("--controlled only applies to the persons export"))
    if with_identities:
        raise ExportDenied(
            _("a controlled extract cannot carry identities: drop --with-identities")
        )
    if fmt not in CONTROLLED_FORMATS:
        raise ExportDenied(_("a controlled extract is written as csv or xlsx"))


def export(
    kind: str,
    fmt: str,
    output: Path,
    *,
    actor: str,
    user: User | None = None,
    with_identities: bool = False,
    controlled: bool = False,
    reason: str = "",
    incidents: QuerySet[Incident] | None = None,
    filters: dict[str, str] | None = None,
) -> int:
    """Write the export and its audit entry; returns the number of rows written.

    `incidents` narrows an incidents export to a filtered set; `filters` (the filter names and
    values that made it, never personal data) go into the audit entry. `controlled` writes the
    k-anonymous persons extract (`controlled_person_extract`), its note on the first line.
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"cannot export {kind!r} as {fmt!r}")
    if controlled:
        _check_controlled_export(kind, fmt, with_identities)
    if with_identities:
        _check_identity_export(kind, user, reason)
    try:
        extract = controlled_person_extract() if controlled else None
    except ExtractNotAnonymous as exc:
        raise ExportDenied(str(exc)) from exc
    if extract is not None:
        columns, rows = CONTROLLED_COLUMNS, iter(extract.rows)
    elif kind == "incidents":
        columns, rows = incident_rows(incidents)
    elif kind == "reports":
        columns, rows = report_rows()
    else:
        columns, rows = person_rows(with_identities)
    # Write to a private temporary file; it becomes `output` only once the audit entry is in:
    # a failed export leaves neither a half-written file of names nor an unaudited one.
    descriptor, temporary = tempfile.mkstemp(prefix=".civharm-export-", dir=output.parent)
    os.close(descriptor)
    try:
        if extract is not None:
            count = WRITERS[fmt](Path(temporary), columns, rows, note=extract.note())
        else:
            count = WRITERS[fmt](Path(temporary), columns, rows)
        with transaction.atomic():
            audit.record(
                user.username if user else actor,
                "export_identities" if with_identities else "export",
                kind,
                fields=["name", "father_name", "contact"] if with_identities else [],
                reason=reason,
                details={"format": fmt, "rows": count, "file": output.name}
                | ({"filters": filters} if filters is not None else {})
                | (extract.audit_details() if extract is not None else {}),
            )
            if not with_identities:
                os.chmod(temporary, 0o644 & ~_umask())
            os.replace(temporary, output)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return count


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_identity_export(kind: str, user: User | None, reason: str) -> None:
    if kind != "persons":
        raise ExportDenied(_("--with-identities only applies to the persons export"))
    if user is None or not user.can("export_identities"):
        raise ExportDenied(
            _("exporting names needs a user whose role may export identities (--user NAME)")
        )
    if len(reason.strip()) < 10:
        raise ExportDenied(_("say why identities are exported (--reason, at least 10 characters)"))


def _cells(columns: list[Column], row: dict[str, object]) -> list[object]:
    """CSV cells: text that a spreadsheet would execute is prefixed with ' (OWASP)."""
    return [neutralise("" if row.get(c.name) is None else row.get(c.name)) for c in columns]


def write_csv(
    output: Path,
    columns: list[Column],
    rows: Iterator[dict[str, object]],
    hxl: bool = False,
    note: str = "",
) -> int:
    """`note`, when given, is a first line of its own (one cell) before the header."""
    count = 0
    with open(output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if note:
            writer.writerow([neutralise(note)])
        writer.writerow([c.name for c in columns])
        if hxl:
            writer.writerow([c.hxl for c in columns])
        for row in rows:
            writer.writerow(_cells(columns, row))
            count += 1
    return count


def write_hxl(output: Path, columns: list[Column], rows: Iterator[dict[str, object]]) -> int:
    return write_csv(output, columns, rows, hxl=True)


def write_xlsx(
    output: Path, columns: list[Column], rows: Iterator[dict[str, object]], note: str = ""
) -> int:
    """XLSX cells are typed: text is always a text cell, so '=…' is shown, never executed.
    `note`, when given, is the sheet's first row, before the header."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("civharm")
    if note:
        note_cell = WriteOnlyCell(sheet, value=note)
        note_cell.data_type = "s"
        sheet.append([note_cell])
    sheet.append([c.name for c in columns])
    count = 0
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column.name)
            if value is None or isinstance(value, int | float):
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=str(value))
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(output)
    return count


def write_geojson(output: Path, columns: list[Column], rows: Iterator[dict[str, object]]) -> int:
    count = 0
    with open(output, "w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [\n')
        for row in rows:
            lat, lon = row.get("latitude"), row.get("longitude")
            geometry = (
                {"type": "Point", "coordinates": [lon, lat]}
                if lat is not None and lon is not None and lat != ""
                else None
            )
            properties = {c.name: _json_value(row.get(c.name)) for c in columns}
            feature = {"type": "Feature", "geometry": geometry, "properties": properties}
            handle.write(("," if count else "") + json.dumps(feature, ensure_ascii=False) + "\n")
            count += 1
        handle.write("]}\n")
    return count


def _json_value(value: object) -> object:
    """GeoJSON is data, not a spreadsheet: values are kept exactly."""
    if value is None or isinstance(value, int | float | bool):
        return value
    return str(value)


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "geojson": write_geojson, "hxl": write_hxl}
