"""Refuse oversized bodies with 413 before anything reads them."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from .api.errors import json_error


class BodySizeLimitMiddleware:
    """Answer 413 when Content-Length is over DATA_UPLOAD_MAX_MEMORY_SIZE (JSON under /api/)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            if request.path.startswith("/api/"):
                return json_error(413, "Request body too large.", "payload_too_large")
            return HttpResponse("Request body too large.", status=413, content_type="text/plain")
        return self.get_response(request)
