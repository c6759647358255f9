"""The import task: rows in chunks, each chunk in one transaction with the job's progress saved with it.

A kind with a chunk handler writes a whole chunk set-based; otherwise (or when the set-based write meets a
database error, such as a concurrent insert of the same person) each row is written on its own savepoint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from celery import shared_task
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, DataError, IntegrityError, models, transaction
from django.db.models import F, Func, Value
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from crm_site import history
from crm_site.scope import Scope
from crm_site.tasks import ScopedTask

from .kinds import HeaderError, ImportContext, ImportKind, get_kind
from .messages import entry, from_validation_error, render_all
from .models import ImportJob
from .parsing import ParseError, read_table
from .values import RowReader

logger = logging.getLogger(__name__)

CHUNK_ROWS = 100  # rows per transaction and progress update, written row by row
BULK_CHUNK_ROWS = 1000  # the same for kinds written set-based: a chunk is a handful of statements


class JSONBAppend(Func):
    """`errors || '[...]'::jsonb`: append to a JSON list in the UPDATE itself, without reading it first."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = models.JSONField()


def batched(iterable: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` items (itertools.batched arrives with Python 3.12)."""
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


CONFLICT = gettext_noop("This row conflicts with existing data and was not imported.")
NOT_IMPORTED = gettext_noop("This row was not imported.")


def row_errors(kind: ImportKind, exc: Exception | object) -> dict[str, list[dict]]:
    """Field → stored messages (untranslated, with parameters) of a failed row, keyed by import column.

    Never empty: a row that is not imported always says why, even when its handler gave no message.
    """
    if isinstance(exc, ValidationError):
        errors = {kind.column_for(key): messages for key, messages in from_validation_error(exc).items() if messages}
    elif isinstance(exc, DatabaseError):
        errors = {NON_FIELD_ERRORS: [entry(CONFLICT)]}
    else:
        errors = {}
    return errors or {NON_FIELD_ERRORS: [entry(NOT_IMPORTED)]}


def row_values(mapping: dict[int, str], cells: list) -> dict:
    """The cells of a row by column key."""
    return {key: cells[index] if index < len(cells) else "" for index, key in mapping.items()}


def chunk_size(kind: ImportKind) -> int:
    """Rows per chunk for this kind."""
    return BULK_CHUNK_ROWS if kind.chunk_handler is not None else CHUNK_ROWS


def _rows_one_by_one(kind: ImportKind, ctx: ImportContext, readers: list[RowReader]) -> list:
    """Each row through the kind's row handler on its own savepoint: a bad row never undoes the good ones."""
    outcomes = []
    for reader in readers:
        try:
            with transaction.atomic():
                outcomes.append(bool(kind.handler(ctx, reader)))
        except (ValidationError, DatabaseError) as exc:
            outcomes.append(exc)
    return outcomes


def _handle(kind: ImportKind, ctx: ImportContext, chunk: list, mapping: dict[int, str]) -> list:
    """Per row of the chunk: True (created), False (updated) or the exception that refused it."""
    if kind.chunk_handler is not None:
        try:
            with transaction.atomic():
                return kind.chunk_handler(ctx, [RowReader(row_values(mapping, cells)) for _n, cells in chunk])
        except (IntegrityError, DataError):
            # Another writer got there first (the same mobile inserted meanwhile), or one value is out of range:
            # row by row sorts it out. Any other error is a bug and stops the job.
            logger.info("import chunk retried row by row after a database error", exc_info=True)
    return _rows_one_by_one(kind, ctx, [RowReader(row_values(mapping, cells)) for _n, cells in chunk])


def _import_chunk(job_id: int, start: int, chunk: list, mapping: dict[int, str], kind: ImportKind,
                  ctx: ImportContext) -> bool:
    """Import one chunk and move the job's counters on, in one transaction; False if another run got there first.

    Only True (created) and False (updated) count as imported: any other outcome, or a missing one, is a failed row
    with its reason, so processed = created + updated + failed and every failed row is in the report.
    """
    with transaction.atomic():
        outcomes = list(_handle(kind, ctx, chunk, mapping))
        if len(outcomes) != len(chunk):
            logger.error("import kind %s gave %d outcomes for %d rows", kind.key, len(outcomes), len(chunk))
            outcomes = (outcomes + [None] * len(chunk))[:len(chunk)]
        errors = [{"row": number, "errors": row_errors(kind, outcome)}
                  for (number, _cells), outcome in zip(chunk, outcomes, strict=True) if outcome not in (True, False)]
        created = sum(1 for outcome in outcomes if outcome is True)
        updated = sum(1 for outcome in outcomes if outcome is False)
        # Conditional on where this run started, so two runs of one job never count a chunk twice.
        moved = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING, processed_rows=start).update(
            processed_rows=start + len(chunk), created_rows=F("created_rows") + created,
            updated_rows=F("updated_rows") + updated, failed_rows=F("failed_rows") + len(errors),
            errors=JSONBAppend(F("errors"), Value(errors, output_field=models.JSONField())), updated_at=timezone.now(),
        )
        if not moved:
            transaction.set_rollback(True)
    return bool(moved)


def _run(job: ImportJob, kind: ImportKind, scope: Scope) -> bool:
    """Import the rows not yet processed; True when the end of the file was reached by this run."""
    ctx = ImportContext(scope=scope, dealer_id=job.dealer_id)
    start = job.processed_rows
    with read_table(bytes(job.content), job.file_name) as table:
        mapping = kind.match_headers(table.header)
        # A run that was interrupted (worker restart) resumes after the last saved chunk.
        for chunk in batched(islice(table.rows, start, None), chunk_size(kind)):
            if not _import_chunk(job.pk, start, chunk, mapping, kind, ctx):
                return False
            start += len(chunk)
    job.refresh_from_db(fields=["created_rows", "updated_rows", "failed_rows"])
    summary = entry(SUMMARY, {"created": job.created_rows, "updated": job.updated_rows, "failed": job.failed_rows})
    return bool(ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, processed_rows=start).update(
        status=ImportJob.Status.DONE, total_rows=start, updated_at=timezone.now(),
        message=render_all([summary])[:255], message_entries=[summary],
    ))


SUMMARY = gettext_noop("%(created)d created, %(updated)d updated, %(failed)d failed.")
REFUSED = gettext_noop("You may not import this kind of data for this dealer.")
STOPPED = gettext_noop("The import stopped on an unexpected error; the rows counted so far were imported.")


def fail_job(job_id: int, entries: list[dict], *, only_queued: bool = False) -> None:
    """Mark a job failed with its messages, stored untranslated (a finished job keeps its result)."""
    jobs = ImportJob.objects.filter(pk=job_id)
    jobs = jobs.filter(status=ImportJob.Status.QUEUED) if only_queued else jobs.exclude(status=ImportJob.Status.DONE)
    with translation.override("en"):
        text = render_all(entries)
    jobs.update(status=ImportJob.Status.FAILED, message=text[:255], message_entries=entries, updated_at=timezone.now())


def _failure_entries(exc: Exception) -> list[dict]:
    if isinstance(exc, HeaderError):
        return exc.entries
    if isinstance(exc, ParseError):
        return [exc.entry]
    return [message for messages in from_validation_error(exc).values() for message in messages]


@shared_task(base=ScopedTask)
def import_run(job_id: int, *, scope: Scope, language: str = "") -> str:
    """Import one uploaded file for the uploader's scope; a finished job is left as it is."""
    jobs = ImportJob.objects.scoped(scope)
    # Claiming is one conditional UPDATE: a re-delivered or repeated task finds the job done and does nothing.
    if not jobs.filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]).update(
            status=ImportJob.Status.RUNNING, updated_at=timezone.now()):
        return "skipped"
    job = jobs.get(pk=job_id)
    kind = get_kind(job.kind)
    # Rows are read and refused in English, the language of the msgids: the job stores its messages untranslated
    # and the pages translate them for whoever reads them (`language` is the uploader's, kept for old queued tasks).
    with translation.override("en"):
        if kind is None or not kind.may_import(scope) or not scope.sees_dealer(job.dealer_id):
            fail_job(job_id, [entry(REFUSED)])
            return "refused"
        try:
            with history.channel(channel=history.IMPORT, import_job=job_id):
                finished = _run(job, kind, scope)
        except (ParseError, ValidationError) as exc:
            fail_job(job_id, _failure_entries(exc))
            return "failed"
        except Exception:
            logger.exception("import job %s stopped", job_id)
            fail_job(job_id, [entry(STOPPED)])
            return "failed"
    return "done" if finished else "superseded"
