"""Read UCDP GED CSVs into SourceRecords; civilians killed = deaths_civilians, up to + unknown.

On the benchmark's hot path: per-row work is dictionary look-ups and cached calls only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from civharm.core.i18n import _
from civharm.core.precision import Count, DatePrecision, GeoPrecision
from civharm.ingest.dates import DateParseError, parse_date
from civharm.ingest.fields import (
    RecordIds,
    header_key,
    match_actor,
    parse_coordinates,
    row_json_and_sha,
)
from civharm.ingest.records import ActorMention, Place, RowError, SourceRecord, UnreadableFile
from civharm.ingest.tables import open_table

FORMAT = "ucdp"
REQUIRED = (
    "id",
    "date_start",
    "date_end",
    "deaths_civilians",
    "deaths_unknown",
    "side_a",
    "side_b",
)
DATE_PRECISION = {
    "1": DatePrecision.DAY,
    "2": DatePrecision.WEEK,
    "3": DatePrecision.WEEK,
    "4": DatePrecision.MONTH,
    "5": DatePrecision.YEAR,
}
WHERE_PRECISION = {
    "1": GeoPrecision.EXACT,
    "2": GeoPrecision.NEAR,
    "3": GeoPrecision.ADMIN2,
    "4": GeoPrecision.ADMIN1,
    "5": GeoPrecision.COUNTRY,
    "6": GeoPrecision.COUNTRY,
    "7": GeoPrecision.UNKNOWN,
}
# UCDP writes "Mopti region", "Bankass cercle", "Ogossagou village": the last word is a type.
PLACE_TYPE_WORDS = frozenset(
    {
        "region",
        "province",
        "cercle",
        "district",
        "commune",
        "town",
        "village",
        "city",
        "municipality",
    }
)
ONE_SIDED_VIOLENCE = "3"


def read_ucdp(
    path: str | Path, *, columns: dict[str, str] | None = None, file_label: str | None = None
) -> Iterator[SourceRecord | RowError]:
    """Records of a UCDP GED CSV. `columns` maps GED names to the file's headers if renamed."""
    table = open_table(
        path,
        header_test=_is_ged_header,
        expected=_("UCDP GED columns such as id, date_start, deaths_civilians"),
        file_label=file_label,
    )
    names = {name.strip().lower(): name for name in table.header}
    by_key = {header_key(name): name for name in table.header}
    for ours, theirs in (columns or {}).items():
        if header_key(theirs) not in by_key:
            raise UnreadableFile(
                _("The file « {label} » has no column « {header} ».").format(
                    label=table.label, header=theirs
                )
            )
        names[ours] = by_key[header_key(theirs)]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise UnreadableFile(
            _("The file « {label} » lacks the UCDP GED column(s) {columns}.").format(
                label=table.label, columns=", ".join(missing)
            )
        )
    renamed = {ged: header for ged, header in names.items() if ged != header}
    ids = RecordIds()
    for item in table.rows():
        if isinstance(item, RowError):
            yield item
            continue
        number, payload = item
        cells = (
            payload if not renamed else {**payload, **{g: payload[h] for g, h in renamed.items()}}
        )
        yield _record(table.label, number, payload, cells, ids)


def _is_ged_header(cells: list[str]) -> bool:
    keys = {cell.strip().lower() for cell in cells}
    return {"id", "date_start", "deaths_civilians"} <= keys or {"relid", "side_a", "best"} <= keys


def _record(
    label: str, number: int, payload: dict[str, str], cells: dict[str, str], ids: RecordIds
) -> SourceRecord | RowError:
    start, end, problem = _dates(cells)
    if problem is not None:
        return RowError(label, number, problem[0], problem[1])
    civilians, unknown = _whole(cells["deaths_civilians"]), _whole(cells["deaths_unknown"])
    if civilians is None or unknown is None:
        column = "deaths_civilians" if civilians is None else "deaths_unknown"
        return RowError(
            label,
            number,
            column,
            _("« {value} » is not a whole number of deaths").format(value=cells[column]),
        )
    payload_json, sha = row_json_and_sha(payload)
    record_id, id_warning = ids.assign(cells["id"] or None, sha)
    place, coordinate_warning = _place(cells)
    record = SourceRecord(
        kind="event",
        source_format=FORMAT,
        record_id=record_id,
        row=number,
        payload=payload,
        payload_sha256=sha,
        payload_json=payload_json,
        date_start=start,
        date_end=end,
        date_precision=DATE_PRECISION.get(cells.get("date_prec", ""), DatePrecision.UNKNOWN),
        place=place,
        actors=_actors(cells),
        harm={"killed": _killed(civilians, unknown)},
        description=cells.get("source_headline", ""),
        source_reference=cells.get("source_office", ""),
        language="en",
    )
    if id_warning or coordinate_warning:
        record.warnings.extend(w for w in (id_warning, coordinate_warning) if w)
    return record


def _dates(cells: dict[str, str]) -> tuple[dt.date | None, dt.date | None, tuple[str, str] | None]:
    start_text, end_text = cells["date_start"], cells["date_end"]
    try:  # GED writes "2019-03-23" or "2019-03-23 00:00:00.000": the fast path
        start = dt.date.fromisoformat(start_text[:10])
        end = start if end_text == start_text else dt.date.fromisoformat(end_text[:10])
    except ValueError:
        return _dates_in_other_forms(cells)
    if end < start:
        return None, None, ("date_end", _("date_end is before date_start"))
    return start, end, None


def _dates_in_other_forms(
    cells: dict[str, str],
) -> tuple[dt.date | None, dt.date | None, tuple[str, str] | None]:
    """The general path, column by column: what `_dates` gives whenever a date is not ISO."""
    found: list[dt.date] = []
    for column in ("date_start", "date_end"):
        text = cells[column]
        try:
            found.append(dt.date.fromisoformat(text[:10]))
        except ValueError:
            try:
                found.append(parse_date(text).start)
            except DateParseError as exc:
                return None, None, (column, str(exc))
    if found[1] < found[0]:
        return None, None, ("date_end", _("date_end is before date_start"))
    return found[0], found[1], None


def _whole(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return 0 if text == "" else None


def _place(cells: dict[str, str]) -> tuple[Place, str | None]:
    lat, lon, warning = parse_coordinates(cells.get("latitude", ""), cells.get("longitude", ""))
    place = Place(
        name=strip_place_type(cells.get("where_coordinates", "")),
        admin1=strip_place_type(cells.get("adm_1", "")),
        admin2=strip_place_type(cells.get("adm_2", "")),
        latitude=lat,
        longitude=lon,
        precision=WHERE_PRECISION.get(cells.get("where_prec", ""), GeoPrecision.UNKNOWN),
    )
    return place, warning


@lru_cache(maxsize=8192)
def strip_place_type(name: str) -> str | None:
    """'Mopti region' -> 'Mopti', 'Bankass cercle' -> 'Bankass'; '' -> None."""
    name = name.strip()
    if not name:
        return None
    head, _space, last = name.rpartition(" ")
    return head if head and last.lower() in PLACE_TYPE_WORDS else name


def _actors(cells: dict[str, str]) -> list[ActorMention]:
    side_a, side_b = cells.get("side_a", ""), cells.get("side_b", "")
    mentions = [_mention(side_a, "perpetrator")] if side_a else []
    if side_b:
        one_sided = cells.get("type_of_violence") == ONE_SIDED_VIOLENCE
        civilians = one_sided or side_b.strip().lower() == "civilians"
        mentions.append(_mention(side_b, "target" if civilians else "perpetrator"))
    return mentions


@lru_cache(maxsize=4096)
def _killed(civilians: int, unknown: int) -> Count:
    """Count is immutable, and tolls repeat: one object per distinct toll."""
    return Count(low=civilians, best=civilians, high=civilians + unknown)


@lru_cache(maxsize=4096)
def _mention(name: str, role: str) -> ActorMention:
    return ActorMention(name=name, key=match_actor(name), role=role)  # type: ignore[arg-type]
