"""Reading uploaded lead lists: CSV (any common encoding) and spreadsheets (xlsx, xls, ods).

Files are checked before any parser sees them (``file_check``): size, type by magic bytes,
for zip-based spreadsheets the number of entries, the unpacked size and ratio (zip bombs),
encryption, and XML entity declarations (defusedxml refuses them). Spreadsheets are then read
with python-calamine (Rust, about 13x faster than openpyxl here); every cell comes out as text
the way the user typed it: a phone stored as a number loses no digits and gains no ".0", a
date becomes ISO. CSV encodings are detected (UTF-8 with or without BOM, GB18030/GBK,
cp1252 ...) with charset-normalizer, the delimiter is sniffed.

The header row is the first row that looks like one (most cells filled with text), so a title
row above it ("2026 Trade show leads", often a merged cell) is skipped. Row numbers are the
ones the user sees in the spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.utils.translation import gettext as _

MAX_UPLOAD = 50 * 1024 * 1024
MAX_UNPACKED = 400 * 1024 * 1024
MAX_RATIO = 150
MAX_ENTRIES = 5_000
MAX_ROWS = 200_000
#: Rows above the header (titles, notes) and blank rows a sheet may have besides MAX_ROWS.
HEADER_ROWS_MAX = 1_000
MAX_COLUMNS = 200
SPREADSHEET_TYPES = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_TYPES = {".csv", ".txt", ".tsv"}


class ImportFileError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    sheets: list[str]
    sheet: str
    headers: list[str]
    #: (row number as the user sees it, cells as text), blank rows left out.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def file_check(data: bytes, filename: str, *, max_size: int = MAX_UPLOAD) -> str:
    """Refuse a dangerous or unreadable file with a clear message; returns the extension."""
    ext = Path(filename or "").suffix.lower()
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > max_size:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": max_size // (1024 * 1024)}
        )
    if ext not in SPREADSHEET_TYPES | TEXT_TYPES:
        raise ImportFileError(_("Upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file."))
    if ext in {".xlsx", ".xlsm", ".ods"}:
        if data[:4] == b"\xd0\xcf\x11\xe0":
            raise ImportFileError(
                _("The spreadsheet is password-protected; save it without a password.")
            )
        if not data.startswith(b"PK"):
            raise ImportFileError(_("This is not a real %(ext)s file.") % {"ext": ext})
        _zip_check(data)
    elif ext == ".xls" and not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("This is not a real .xls file."))
    elif (
        ext in TEXT_TYPES
        and b"\x00" in data[:4096]
        and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        raise ImportFileError(_("This does not look like a text (CSV) file."))
    return ext


def _zip_check(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportFileError(_("The spreadsheet is damaged and cannot be opened.")) from error
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ImportFileError(_("The spreadsheet has too many parts to be a lead list."))
    unpacked = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO:
        raise ImportFileError(
            _("The spreadsheet unpacks to far more than its size (a zip bomb?); it was refused.")
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise ImportFileError(
            _("The spreadsheet is password-protected; save it without a password.")
        )
    try:
        _parts_check(archive, infos)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        # A part larger than declared, a bad checksum: damaged, never a 500.
        raise ImportFileError(_("The spreadsheet is damaged and cannot be opened.")) from error


def _parts_check(archive, infos) -> None:
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and info.file_size:
            with archive.open(info) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ImportFileError(
                    _("The spreadsheet contains XML entity declarations; it was refused.")
                )
            if info.file_size < 2 * 1024 * 1024:
                try:
                    SafeET.fromstring(archive.read(info))
                except DefusedXmlException as error:
                    raise ImportFileError(
                        _("The spreadsheet contains XML entity declarations; it was refused.")
                    ) from error
                except SafeET.ParseError:
                    continue


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value).strip()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(
        data[:200_000], cp_isolation=["gb18030", "big5", "cp1252", "utf_16", "shift_jis"]
    ).best()
    encoding = best.encoding if best else "gb18030"
    if encoding in ("gbk", "gb2312"):
        encoding = "gb18030"  # a superset: GBK files decode the same, rarer characters too
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    # strict: a quote left open swallows the rest of the file into one cell; say so instead.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, start = [], 1
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            start = reader.line_num + 1  # where the next record begins
    except csv.Error as error:
        raise ImportFileError(
            _('The CSV file is broken at line %(line)d: a quote (") opens there and never closes.')
            % {"line": start}
        ) from error
    return rows


def _sheet_rows(data: bytes, sheet: str | None) -> tuple[list[str], str, list[list[str]]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises its own error types
        raise ImportFileError(
            _("The spreadsheet could not be read: %(error)s") % {"error": error}
        ) from error
    names = list(book.sheet_names)
    if not names:
        raise ImportFileError(_("The spreadsheet has no sheets."))
    chosen = sheet if sheet in names else names[0]
    # Row by row, stopping as soon as the sheet is too long: a padded sheet of millions of
    # tiny rows is refused early instead of being turned into Python lists whole (1.9 GB).
    limit = MAX_ROWS + HEADER_ROWS_MAX
    rows: list[list[str]] = []
    try:
        for row in book.get_sheet_by_name(chosen).iter_rows():
            rows.append([_cell_text(v) for v in row])
            if len(rows) > limit:
                raise ImportFileError(
                    _("The file has more than %(max)s rows; the limit is %(max)s per import.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
    except ImportFileError:
        raise
    except Exception as error:  # a damaged part, a bad zip entry, XML it refuses
        raise ImportFileError(
            _("The spreadsheet could not be read: %(error)s") % {"error": error}
        ) from error
    return names, chosen, rows


def _header_index(rows: list[list[str]]) -> int:
    """The first of the first ten rows that has at least half of the widest row's cells filled
    with text that is not a number."""
    width = max((sum(1 for c in r if c) for r in rows[:10]), default=0)
    for index, row in enumerate(rows[:10]):
        filled = [c for c in row if c]
        texty = [c for c in filled if not c.replace(".", "").replace("-", "").isdigit()]
        if width and len(texty) >= max(1, (width + 1) // 2):
            return index
    raise ImportFileError(_("No header row found: the first rows should name the columns."))


def table_read(data: bytes, filename: str, *, sheet: str | None = None) -> Table:
    """The file as a table of text (after ``file_check``)."""
    ext = file_check(data, filename)
    if ext in TEXT_TYPES:
        names, chosen, rows = [], "", _csv_rows(data)
    else:
        names, chosen, rows = _sheet_rows(data, sheet)
    if not any(any(c for c in row) for row in rows):
        raise ImportFileError(_("The file has no rows."))
    header_at = _header_index(rows)
    headers = list(rows[header_at])
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise ImportFileError(_("The file has more than %(n)d columns.") % {"n": MAX_COLUMNS})
    seen: dict[str, int] = {}
    for i, name in enumerate(headers):
        name = " ".join(name.split()) or _("Column %(n)d") % {"n": i + 1}
        seen[name] = seen.get(name, 0) + 1
        headers[i] = name if seen[name] == 1 else f"{name} ({seen[name]})"
    body = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = (row + [""] * len(headers))[: len(headers)]
        if any(cells):
            body.append((offset, cells))
    if len(body) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(n)s rows; the limit is %(max)s per import.")
            % {"n": f"{len(body):,}", "max": f"{MAX_ROWS:,}"}
        )
    return Table(sheets=names, sheet=chosen, headers=headers, rows=body)
