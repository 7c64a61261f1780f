"""Writes demo source files byte-for-byte reproducibly (CSV in a chosen encoding, XLSX).

Never stamps the current time into a file: the same seed must give the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook

Cell = str | int | float | date | datetime | None
# A fixed moment for XLSX metadata and zip entries (the demo's "export" time).
_FIXED_MOMENT = datetime(2025, 1, 15, 9, 0, 0)
_ZIP_TIME = (2025, 1, 15, 9, 0, 0)
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> None:
    """CSV with CRLF line ends (as spreadsheet exports do); encoding "utf-8-sig" adds a BOM.

    Raises UnicodeEncodeError if a cell cannot be written in the encoding: a generator bug.
    """
    with path.open("w", encoding=encoding, newline="", errors="strict") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([_text(cell) for cell in row] for row in rows)


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell)


def write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Cell]], sheet: str
) -> None:
    """One-sheet workbook; dates stay date cells, as in real spreadsheets."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None  # a new Workbook always has one sheet
    worksheet.title = sheet
    worksheet.append(list(header))
    for row in rows:
        worksheet.append(list(row))
    for cells in worksheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime | date):
                cell.number_format = "yyyy-mm-dd"
    workbook.properties.creator = "civharm demo"
    workbook.properties.created = _FIXED_MOMENT
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_reproducible_zip(buffer.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    """Same archive with fixed entry times and fixed document times (openpyxl uses now())."""
    stamp = _FIXED_MOMENT.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()
