"""Cursor pagination: stable pages for DMS syncs, no COUNT(*) over large tables."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages in id order, 50 by default, up to 500 with `page_size`."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
