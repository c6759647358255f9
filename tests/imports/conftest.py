"""Helpers for import and export tests: logged-in browsers, files in each encoding, uploads run eagerly."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from crm_site.imports.models import ImportJob


def csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes, sheet: int = 0) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """POST a file to /imports/new/ and run the queued task (Celery is eager in tests) once the job commits."""

    def _upload(client: Client, kind: str, content: bytes, name: str = "data.csv", headers=None, **extra):
        data = {"kind": kind, "file": SimpleUploadedFile(name, content), **extra}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/imports/new/", data, headers=headers or {})
        job = ImportJob.objects.order_by("-id").first() if response.status_code == 302 else None
        return response, job

    return _upload


def stored_errors(job) -> dict[int, dict[str, list[str]]]:
    """A job's row errors by row number, each stored message rendered in English (they are stored untranslated)."""
    from django.utils import translation

    from crm_site.imports.messages import render

    with translation.override("en"):
        return {entry["row"]: {key: [render(m) for m in messages] for key, messages in entry["errors"].items()}
                for entry in job.errors}


def body(response) -> bytes:
    """The whole body of a normal, streaming or file response."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
