"""Open a CSV or XLSX file as a stream of (row number, {header: cell text}) rows.

Streams (never loads a whole file); a bad row becomes a RowError, a bad file raises
UnreadableFile with one sentence. Never puts cell contents in a message.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from civharm.core.i18n import _
from civharm.ingest.records import RowError, UnreadableFile

SAMPLE_BYTES = 64 * 1024
MAX_CELL_CHARS = 100_000  # a longer cell is a broken file, not a narrative
HEADER_SEARCH_ROWS = 10  # title lines a spreadsheet may have above its header
BOM = codecs.BOM_UTF8


def _binary_kinds() -> tuple[tuple[bytes, str], ...]:
    """(magic bytes, what the file is) for files that are not tables, in the active language."""
    return (
        (b"\x89PNG", _("a PNG image")),
        (b"%PDF", _("a PDF document")),
        (b"\xff\xd8\xff", _("a JPEG image")),
        (b"GIF8", _("a GIF image")),
        (b"\xd0\xcf\x11\xe0", _("an old Excel (.xls) or Word file; save it as .xlsx or CSV")),
        (b"\x1f\x8b", _("a gzip archive")),
    )


_UNDECODABLE = re.compile("[\udc80-\udcff]")
_DECODE_ERRORS = [0]  # bumped by the codec error handler: rows are checked only after a bad byte


def _count_and_escape(error: UnicodeError) -> tuple[str, int]:
    _DECODE_ERRORS[0] += 1
    replacement, position = codecs.lookup_error("surrogateescape")(error)
    return str(replacement), position


codecs.register_error("civharm-count-surrogateescape", _count_and_escape)

csv.field_size_limit(MAX_CELL_CHARS * 20)  # we judge long cells ourselves, per row

HeaderTest = Callable[[list[str]], bool]
RawRows = Iterator[tuple[int, list[str]] | RowError]


class Table:
    """An open tabular file: its header, optional HXL hashtags, and a one-pass row stream."""

    def __init__(
        self, label: str, raw: RawRows, header_test: HeaderTest, expected: str, *, spreadsheet: bool
    ):
        self.label = label
        self.pad_short_rows = spreadsheet  # a sheet has no "missing separator", only empty cells
        self._raw = raw
        self.header: list[str] = []
        self.header_row = 0
        self.hxl_tags: list[str] | None = None
        self._pending: list[tuple[int, list[str]] | RowError] = []
        self._find_header(header_test, expected)

    def _find_header(self, header_test: HeaderTest, expected: str) -> None:
        seen = 0
        for item in self._raw:
            if isinstance(item, RowError):
                continue
            number, cells = item
            if not any(cells):
                continue
            seen += 1
            if _is_hashtag_row(cells) or header_test(_clean_header(cells)):
                self._take_header(number, cells)
                return
            if seen >= HEADER_SEARCH_ROWS:
                break
        if seen == 0:
            raise UnreadableFile(
                _("The file « {label} » has no rows, only empty lines.").format(label=self.label)
            )
        raise UnreadableFile(
            _("The file « {label} » has no recognisable header row (expected {expected}).").format(
                label=self.label, expected=expected
            )
        )

    def _take_header(self, number: int, cells: list[str]) -> None:
        self.header_row = number
        if _is_hashtag_row(cells):
            self.hxl_tags = [cell.strip() for cell in cells]
            self.header = _unique_headers(self.hxl_tags)
            return
        self.header = _unique_headers(_clean_header(cells))
        following = next(self._raw, None)
        if following is None:
            return
        if not isinstance(following, RowError) and _is_hashtag_row(following[1]):
            self.hxl_tags = [cell.strip() for cell in following[1]]
            self.hxl_tags += [""] * (len(self.header) - len(self.hxl_tags))
        else:
            self._pending.append(following)

    def rows(self) -> Iterator[tuple[int, dict[str, str]] | RowError]:
        """Data rows as (spreadsheet row number, header -> stripped cell text); blanks skipped.

        Raises UnreadableFile at the end when the file had a header but not one data row.
        """
        header, width, label = self.header, len(self.header), self.label
        produced = False
        for item in itertools.chain(self._pending, self._raw):
            if isinstance(item, RowError):
                produced = True
                yield item
                continue
            number, cells = item
            if len(cells) != width:
                if not any(cells):
                    continue
                fitted = _fit_width(cells, width, self.pad_short_rows)
                if fitted is None:
                    produced = True
                    yield _ragged(label, number, len(cells), width)
                    continue
                cells = fitted
            stripped = list(map(str.strip, cells))
            joined = "".join(stripped)
            if not joined:
                continue
            produced = True
            if len(joined) > MAX_CELL_CHARS or "\x00" in joined:
                yield _cell_problem(label, number, header, stripped)
                continue
            yield number, dict(zip(header, stripped, strict=True))
        if not produced:
            raise UnreadableFile(
                _("The file « {label} » has a header row but no data rows.").format(label=label)
            )


def open_table(
    path: str | Path,
    *,
    header_test: HeaderTest,
    expected: str,
    file_label: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open `path` (CSV in UTF-8/UTF-8-BOM/cp1252, `,` `;` or tab; or XLSX) and find its header.

    `header_test(cells)` says whether a row is the header; `expected` names what a header
    should contain, for the error sentence. Raises UnreadableFile for a file that cannot be read.
    """
    path = Path(path)
    label = file_label or path.name
    head = _read_head(path, label)
    if head.startswith(b"PK\x03\x04"):
        raw = _xlsx_rows(path, label, sheet)
        return Table(label, raw, header_test, expected, spreadsheet=True)
    _refuse_binary(head, label)
    raw = _csv_rows(path, label, head)
    return Table(label, raw, header_test, expected, spreadsheet=False)


def _read_head(path: Path, label: str) -> bytes:
    if not path.exists():
        raise UnreadableFile(_("The file « {label} » does not exist.").format(label=label))
    if path.is_dir():
        raise UnreadableFile(_("« {label} » is a folder, not a file.").format(label=label))
    try:
        with path.open("rb") as handle:
            head = handle.read(SAMPLE_BYTES)
    except OSError as exc:
        raise UnreadableFile(
            _("The file « {label} » cannot be opened ({reason}).").format(
                label=label, reason=exc.strerror
            )
        ) from exc
    if not head.removeprefix(BOM).strip():
        raise UnreadableFile(_("The file « {label} » is empty.").format(label=label))
    return head


def _refuse_binary(head: bytes, label: str) -> None:
    for magic, kind in _binary_kinds():
        if head.startswith(magic):
            raise UnreadableFile(
                _("The file « {label} » is {kind}, not a table (CSV or XLSX).").format(
                    label=label, kind=kind
                )
            )
    if b"\x00" in head:
        raise UnreadableFile(
            _(
                "The file « {label} » contains binary data (NUL bytes), not text: "
                "save it again as CSV (UTF-8) or XLSX."
            ).format(label=label)
        )


def detect_encoding(head: bytes) -> str:
    """'utf-8-sig' or 'utf-8' when the sample is valid UTF-8, else 'cp1252' (never latin-1)."""
    if head.startswith(BOM):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(head, final=False)  # a sample cut mid-character is still UTF-8
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(first_line: str) -> str:
    """The most frequent of `,` `;` and tab in the header line (outside quotes); `,` by default."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {sep: unquoted.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_rows(path: Path, label: str, head: bytes) -> RawRows:
    encoding = detect_encoding(head)
    text_head = head.decode(encoding, errors="replace")
    first_line = next((line for line in text_head.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    ends_with_quote = _ends_with_quote(path)
    handle = path.open(encoding=encoding, errors="civharm-count-surrogateescape", newline="")
    return _csv_records(handle, label, delimiter, encoding, ends_with_quote)


def _csv_records(
    handle: IO[str], label: str, delimiter: str, encoding: str, ends_with_quote: bool
) -> RawRows:
    with handle:
        reader = csv.reader(handle, delimiter=delimiter)
        number, last_line, errors_before = 0, 0, _DECODE_ERRORS[0]
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # After a broken record the parser's place in the file is unsure: stop there.
                yield RowError(label, number + 1, None, _broken_record(exc))
                return
            number += 1
            spans_lines = reader.line_num - last_line > 1
            last_line = reader.line_num
            if _DECODE_ERRORS[0] != errors_before and _UNDECODABLE.search("".join(cells)):
                yield RowError(label, number, None, _not_encoding(encoding))
                continue
            if spans_lines and not ends_with_quote and _at_end(handle):
                yield RowError(label, number, None, _unclosed_quote())
                continue
            yield number, cells


def _broken_record(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return _(
            "a cell of this row is longer than {limit} characters, so the file is probably "
            "damaged here; this row and the rest of the file were not read"
        ).format(limit=f"{csv.field_size_limit():,}")
    return _(
        "this row cannot be read as CSV, so the file is probably damaged here; this row and "
        "the rest of the file were not read"
    )


def _unclosed_quote() -> str:
    return _(
        "a quotation mark opened in this row is never closed, so the rest of the file was "
        "read as one cell; close the quote and import again"
    )


def _not_encoding(encoding: str) -> str:
    name = "UTF-8" if encoding.startswith("utf-8") else "Windows-1252"
    return _(
        "this row has bytes that are not valid {encoding} text; save the file again as UTF-8"
    ).format(encoding=name)


def _at_end(handle: IO[str]) -> bool:
    # Only asked for multi-line records, so the extra peek costs nothing on ordinary rows.
    position = handle.tell()
    at_end = handle.read(1) == ""
    handle.seek(position)
    return at_end


def _ends_with_quote(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 64))
        return handle.read().rstrip().endswith(b'"')


def _xlsx_rows(path: Path, label: str, sheet: str | None) -> RawRows:
    import openpyxl  # imported here: CSV-only users never pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(
            _("The file « {label} » is a ZIP archive but not an Excel workbook (.xlsx).").format(
                label=label
            )
        ) from exc
    if sheet is not None and sheet not in workbook.sheetnames:
        workbook.close()
        raise UnreadableFile(
            _("The workbook « {label} » has no sheet named « {sheet} ».").format(
                label=label, sheet=sheet
            )
        )
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    return _xlsx_records(workbook, worksheet)


def _xlsx_records(workbook: Any, worksheet: Any) -> RawRows:
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in values]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """Text of a spreadsheet cell: dates as ISO, whole floats without '.0', None as ''."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fit_width(cells: list[str], width: int, pad_short: bool) -> list[str] | None:
    """Tolerate what spreadsheets do (trailing empty cells); anything else is ragged."""
    if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
        return cells[:width]
    if len(cells) < width and pad_short:
        return cells + [""] * (width - len(cells))
    return None


def _ragged(label: str, number: int, found: int, width: int) -> RowError:
    return RowError(
        label,
        number,
        None,
        _(
            "this row has {found} cells but the header has {width} columns; "
            "check for a missing or extra separator, or an unclosed quote"
        ).format(found=found, width=width),
    )


def _cell_problem(label: str, number: int, header: list[str], cells: list[str]) -> RowError:
    """The error for a row whose cells are too long in total or hold NUL bytes."""
    for name, cell in zip(header, cells, strict=True):
        if len(cell) > MAX_CELL_CHARS:
            return RowError(
                label,
                number,
                name,
                _(
                    "the cell holds {count} characters (limit {limit}); "
                    "the file is probably damaged around this row"
                ).format(count=f"{len(cell):,}", limit=f"{MAX_CELL_CHARS:,}"),
            )
        if "\x00" in cell:
            return RowError(label, number, name, _("the cell contains binary data (NUL bytes)"))
    return RowError(
        label,
        number,
        None,
        _("the row holds more than {limit} characters in all").format(limit=f"{MAX_CELL_CHARS:,}"),
    )


def _clean_header(cells: list[str]) -> list[str]:
    return [cell.strip().removeprefix("\ufeff").strip() for cell in cells]


def _unique_headers(cells: list[str]) -> list[str]:
    """Empty headers get a column name; repeated ones get ' (2)', ' (3)'… so no cell is lost."""
    seen: dict[str, int] = {}
    unique = []
    for index, cell in enumerate(cells, start=1):
        name = cell or f"column {index}"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _is_hashtag_row(cells: list[str]) -> bool:
    filled = [cell.strip() for cell in cells if cell.strip()]
    return bool(filled) and all(cell.startswith("#") for cell in filled)
