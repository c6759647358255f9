"""Reading an uploaded table: CSV in UTF-8, UTF-8 with BOM, UTF-16 or GB18030, or the first sheet of an XLSX file."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

import openpyxl
from django.utils.translation import gettext as _

from .messages import entry, render

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
MAX_COLUMNS = 200


class ParseError(Exception):
    """The file cannot be read as a table; the message is meant for the user (`entry` keeps it untranslated)."""

    def __init__(self, message, params: dict | None = None):
        self.entry = entry(message, params)
        super().__init__(render(self.entry))


@dataclass
class Table:
    """A header row and an iterator of data rows as (spreadsheet row number, cells); blank rows are skipped."""

    header: list
    rows: Iterator[tuple[int, list]]


def sniff_format(file_name: str, head: bytes) -> str:
    """"csv" or "xlsx" from the extension and the first bytes; raise ParseError for anything else."""
    suffix = PurePath(file_name or "").suffix.lower()
    if head.startswith(OLE_MAGIC) or suffix == ".xls":
        raise ParseError(_("This is an old Excel .xls file: save it as .xlsx or CSV and upload it again."))
    if suffix == ".xlsx" or (suffix in {".csv", ".txt"} and head.startswith(ZIP_MAGIC)):
        return "xlsx"  # a workbook renamed to .csv is still read as the workbook it is
    if suffix in {".csv", ".txt"}:
        return "csv"
    raise ParseError(_("Upload a CSV file or an Excel workbook (.xlsx)."))


def decode_text(content: bytes) -> str:
    """Decode CSV bytes: a UTF-16 BOM wins, then UTF-8 (with or without BOM), then GB18030 (Excel on Chinese Windows)."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ParseError(_("The CSV file is neither UTF-8 nor GB18030 text."))


def cell_value(value):
    """A cell as text, keeping dates and times; Excel stores 13812345678 as the float 13812345678.0."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\x00", "").strip()  # PostgreSQL text cannot hold NUL
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool | int | float | Decimal):
        return str(value)
    return value


def _csv_rows(text: str) -> Iterator[tuple[int, list]]:
    """CSV records numbered as a spreadsheet shows them; the delimiter is the commonest of , tab ; in the header."""
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = max(",\t;", key=first_line.count)
    # strict: an unbalanced quote is an error, instead of silently swallowing the rest of the file into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):  # noqa: B007  (number is reported on error)
            yield number, [cell_value(cell) for cell in record[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise ParseError(_("Row %(row)d of the CSV file cannot be read (%(error)s)."),
                         {"row": number + 1, "error": exc}) from None


def _open_workbook(content: bytes):
    """Open an XLSX workbook streaming (read-only), so a large sheet is never held in memory at once."""
    try:
        return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML, key and value errors alike for a damaged or foreign file
        raise ParseError(_("The file cannot be read as an Excel workbook (.xlsx).")) from None


def _xlsx_rows(workbook) -> Iterator[tuple[int, list]]:
    """The first sheet's rows; dimensions are reset because some programs write wrong ones."""
    if not workbook.worksheets:
        return
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    try:
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_value(cell) for cell in row[:MAX_COLUMNS]]
    except Exception:  # a damaged sheet fails in the middle of reading, with any of several XML errors
        raise ParseError(_("The Excel workbook is damaged and cannot be read to the end.")) from None


def _without_blank(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """Skip rows whose cells are all empty (spreadsheets often end with some)."""
    for number, cells in rows:
        if any(cell != "" for cell in cells):
            yield number, cells


@contextmanager
def read_table(content: bytes, file_name: str) -> Iterator[Table]:
    """Open an uploaded file as a Table; raise ParseError with a message for the user if it cannot be read."""
    workbook = None
    if sniff_format(file_name, content[:8]) == "xlsx":
        workbook = _open_workbook(content)
        rows = _xlsx_rows(workbook)
    else:
        rows = _csv_rows(decode_text(content))
    try:
        numbered = _without_blank(rows)
        first = next(numbered, None)
        if first is None:
            raise ParseError(_("The file is empty."))
        yield Table(header=first[1], rows=numbered)
    finally:
        if workbook is not None:
            workbook.close()
