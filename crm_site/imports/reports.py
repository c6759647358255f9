"""What the import pages show and hand out: progress, error lines, the error report and the template files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from .kinds import REPORT_ERRORS, REPORT_ROW, ImportKind, get_kind
from .messages import render_all
from .models import ImportJob
from .parsing import ParseError, read_table
from .spreadsheets import sheet_response, xlsx_response

ERRORS_SHOWN = 200  # on the page; the downloadable report has them all


def percent(job: ImportJob) -> int:
    """How far the job is, 0 to 100."""
    if job.total_rows:
        return min(100, job.processed_rows * 100 // job.total_rows)
    return 100 if job.status == ImportJob.Status.DONE else 0


def _label(kind: ImportKind | None, key: str) -> str:
    """The column header a field's message belongs to; row-level messages have none."""
    if key == NON_FIELD_ERRORS:
        return ""
    column = kind.column(key) if kind else None
    return column.label() if column else key


def describe(kind: ImportKind | None, errors: dict) -> str:
    """A row's problems as one line in the reader's language: "手机: 请输入 11 位中国大陆手机号码。"."""
    parts = []
    for key, messages in errors.items():
        label = _label(kind, key)
        text = render_all(messages)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts) or _("This row was not imported.")


def first_errors() -> RawSQL:
    """The first ERRORS_SHOWN entries of a job's error list, sliced in the database."""
    return RawSQL(f'jsonb_path_query_array("{ImportJob._meta.db_table}"."errors", %s::jsonpath)',  # noqa: S611
                  (f"$[0 to {ERRORS_SHOWN - 1}]",), output_field=models.JSONField())


def error_lines(job: ImportJob) -> list[dict]:
    """The first failed rows (annotated by first_errors) with their messages per column, for the job page."""
    kind = get_kind(job.kind)
    return [
        {"row": entry["row"],
         "messages": [(_label(kind, key), render_all(msgs)) for key, msgs in entry["errors"].items()]}
        for entry in job.first_errors or []
    ]


def report_header(header: list) -> list:
    """The uploaded header between the report's own columns, which an import of the report ignores."""
    return [REPORT_ROW.label(), *header, REPORT_ERRORS.label()]


def _report_lines(job: ImportJob) -> Iterator[list]:
    """The header, then each failed row as uploaded (padded to the header), with its number and its errors.

    Every failed row of the job is a line, even one the file no longer yields (its cells are then blank), so the
    report always has exactly job.failed_rows lines.
    """
    failed: dict[int, list] = {}
    for entry in job.errors:
        failed.setdefault(entry["row"], []).append(entry["errors"])
    kind = get_kind(job.kind)
    with read_table(bytes(job.content), job.file_name) as table:
        width = len(table.header)
        yield report_header(table.header)
        for number, cells in table.rows:
            for errors in failed.pop(number, []):
                yield [number, *(cells + [""] * width)[:width], describe(kind, errors)]
        for number, entries in sorted(failed.items()):
            for errors in entries:
                yield [number, *[""] * width, describe(kind, errors)]


def error_report(job: ImportJob) -> tuple[list, Iterator[list]]:
    """Header and rows of the downloadable error report."""
    lines = _report_lines(job)
    try:
        return next(lines), lines
    except ParseError:
        # The file itself could not be read; the job message says why, and there are no row errors.
        return report_header([]), iter([])


def kind_doc(kind: ImportKind) -> dict:
    """A kind's columns for the upload page."""
    return {
        "key": kind.key,
        "label": kind.label,
        "columns": kind.columns,
        "one_of": [" / ".join(kind.column(key).label() for key in group) for group in kind.one_of],
    }


def template_response(kind: ImportKind, fmt: str):
    """An empty file with the kind's headers; the XLSX adds a sheet explaining each column."""
    header = [column.label() for column in kind.columns]
    stem = f"{kind.key}-template"
    if fmt != "xlsx":
        return sheet_response(fmt, stem, str(kind.label), header, [])
    notes = [[c.zh, c.en, _("Required") if c.required else "", str(c.help)] for c in kind.columns]
    notes += [["", "", _("At least one of: %(columns)s") % {"columns": group}, ""] for group in kind_doc(kind)["one_of"]]
    return xlsx_response(f"{stem}.xlsx", [
        (str(kind.label), header, []),
        (_("Columns"), [_("Chinese header"), _("English header"), _("Required"), _("Notes")], notes),
    ])


def filters_for_audit(filters: dict) -> dict:
    """The export filters as JSON: objects by id, dates in ISO form."""
    result = {}
    for key, value in filters.items():
        if isinstance(value, Model):
            result[key] = value.pk
        elif isinstance(value, date):
            result[key] = value.isoformat()
        else:
            result[key] = str(value)
    return result
