"""Exports of any registered kind, read only through its scoped queryset and streamed in chunks."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from crm_site.scope import Scope

from .kinds import ImportKind

CHUNK_SIZE = 2000


def export_queryset(kind: ImportKind, scope: Scope, filters: dict) -> QuerySet:
    """The scoped rows of one kind, narrowed by the export form's filters (a dealer the scope sees, dates)."""
    spec = kind.export
    queryset = spec.queryset(scope)
    if filters.get("dealer") is not None:
        queryset = queryset.filter(**spec.dealer_filter(filters["dealer"]))
    if filters.get("updated_after"):
        queryset = queryset.filter(updated_at__gte=filters["updated_after"])
    if filters.get("date_from"):
        queryset = queryset.filter(**{f"{spec.date_field}__gte": filters["date_from"]})
    if filters.get("date_to"):
        queryset = queryset.filter(**{f"{spec.date_field}__lte": filters["date_to"]})
    return queryset.order_by("pk")


def export_header(kind: ImportKind) -> list[str]:
    """Column headers in the page language, the same names the import reads."""
    return [kind.column(key).label() for key in kind.export.columns]


def export_rows(kind: ImportKind, scope: Scope, filters: dict) -> Iterator[list]:
    """Rows streamed in chunks of 2,000 from one query (the kind's queryset selects what a row needs)."""
    row = kind.export.row
    for obj in export_queryset(kind, scope, filters).iterator(chunk_size=CHUNK_SIZE):
        yield row(scope, obj)
