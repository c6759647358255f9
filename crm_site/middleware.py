"""Refuse oversized bodies (413) and over-long query strings (400) before anything reads them."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .api.errors import error_page, json_error

# Longest query string a page accepts. Searches cut q to 100 characters and filters are short; gunicorn's
# limit_request_line (crm_site/gunicorn.conf.py) is above this, so the user gets this page, not "URI Too Long".
MAX_QUERY_STRING = 2000


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


class QueryStringLimitMiddleware:
    """Answer a clear 400 when the query string is over CRM_MAX_QUERY_STRING characters (JSON under /api/).

    It comes after the locale and authentication middleware, so the page is in the user's language with the menu.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "CRM_MAX_QUERY_STRING", MAX_QUERY_STRING)
        if len(request.META.get("QUERY_STRING", "")) > limit:
            if request.path.startswith("/api/"):
                return json_error(400, _("The query string is longer than %(limit)d characters.") % {"limit": limit},
                                  "query_too_long")
            return error_page(request, 400, "400.html", {"too_long": limit})
        return self.get_response(request)


# Scripts only from our own static files (htmx, ECharts, crm.js): no inline script, no eval. Styles may be inline
# (ECharts draws SVG with style attributes). The API docs page (Swagger UI) starts itself with an inline script.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
                           "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy on every page (the JSON of the API needs none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            docs = request.path.startswith("/api/docs")
            response["Content-Security-Policy"] = DOCS_POLICY if docs else CONTENT_SECURITY_POLICY
        return response
