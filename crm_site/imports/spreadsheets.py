"""Writing CSV (streamed, with a BOM for Excel) and XLSX (openpyxl write-only) downloads, formulas neutralised."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

import openpyxl
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is run as a formula by Excel and LibreOffice (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-5", "+86", "-1,280.50", "3.5e2", "-12%") is read as that number, never run: left as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")
CSV_LINES_PER_CHUNK = 500


def escape_formula(value):
    """Prefix text that a spreadsheet would execute with a single quote, so it is shown as typed; numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _local(value: datetime) -> datetime:
    """A naive Beijing-time datetime: spreadsheets have no time zones, and openpyxl refuses aware ones."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def csv_cell(value) -> str:
    """A value as CSV text; only text can carry a formula, so numbers and dates are written as they are."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str):
        return escape_formula(value)
    return str(value)


def xlsx_cell(value):
    """A value for an XLSX cell: text escaped and stripped of characters XML cannot hold, datetimes made naive."""
    if isinstance(value, str):
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, datetime):
        return _local(value)
    return value


class _Echo:
    """A file-like object whose write() returns what it was given, so csv.writer formats one line at a time."""

    def write(self, value: str) -> str:
        return value


def _csv_chunks(header: list, rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_cell(v) for v in header])  # the BOM tells Excel the file is UTF-8
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow([csv_cell(v) for v in row]))
        if len(lines) >= CSV_LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_response(file_name: str, header: list, rows: Iterable[list]) -> StreamingHttpResponse:
    """A CSV download streamed as the rows are read."""
    response = StreamingHttpResponse(_csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


def xlsx_response(file_name: str, sheets: list[tuple[str, list, Iterable[list]]]) -> FileResponse:
    """An XLSX download of (title, header, rows) sheets; write-only mode keeps memory flat, the file is spooled to disk."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([xlsx_cell(v) for v in header])
        for row in rows:
            sheet.append([xlsx_cell(v) for v in row])
    output = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it when the download ends)
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=file_name, content_type=XLSX_CONTENT_TYPE)


def sheet_response(fmt: str, file_stem: str, title: str, header: list, rows: Iterable[list]):
    """One table as a CSV or XLSX download."""
    if fmt == "xlsx":
        return xlsx_response(f"{file_stem}.xlsx", [(title, header, rows)])
    return csv_response(f"{file_stem}.csv", header, rows)
