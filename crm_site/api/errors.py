"""JSON errors for every API failure, so no input ever answers 500 with an HTML page; styled pages for browsers."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """The change clashes with existing data (a duplicate, or rows that still depend on the object)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The change conflicts with existing data."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    """The body, or the batch inside it, is bigger than allowed."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


def _translate(exc: Exception) -> exceptions.APIException | None:
    """Map the database and Django errors that bad input can cause onto API errors."""
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Conflict(_("This object is still used by other records and cannot be deleted."))
    if isinstance(exc, IntegrityError):
        return Conflict(_("The change conflicts with existing data."))
    if isinstance(exc, DataError):
        return exceptions.ValidationError({"detail": [_("A value is out of range or malformed.")]})
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(_("Request body too large."))
    return None


def exception_handler(exc, context):
    """DRF's handler, plus a code on every error and JSON for database errors caused by input."""
    exc = _translate(exc) or exc
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, dict) and "detail" in response.data and isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            response.data["code"] = codes
    return response


def json_error(status_code: int, detail: str, code: str) -> JsonResponse:
    """A JSON error answer for paths outside DRF's views."""
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def error_page(request, status_code: int, template: str, context: dict | None = None) -> HttpResponse:
    """A styled error page in the user's language, with a way back; never a technical detail.

    Rendered with the request (menu, language switch) when that works; a failure while rendering (the database is
    down during a 500) falls back to the page without the request, then to one line of text.
    """
    try:
        return render(request, template, context or {}, status=status_code)
    except Exception:
        logger.exception("error page %s could not be rendered with the request", template)
    try:
        return HttpResponse(loader.get_template(template).render(context or {}), status=status_code)
    except Exception:
        logger.exception("error page %s could not be rendered", template)
    return HttpResponse(_("Something went wrong."), status=status_code, content_type="text/plain; charset=utf-8")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_not_found(request, exception=None):
    """404 for unknown URLs: JSON under /api/, the HTML page elsewhere."""
    if _is_api(request):
        return json_error(404, _("Not found."), "not_found")
    return error_page(request, 404, "404.html")


def api_server_error(request):
    """500 answer: JSON under /api/ (kept for safety; input must never reach it), the HTML page elsewhere."""
    if _is_api(request):
        return json_error(500, _("Server error."), "server_error")
    return error_page(request, 500, "500.html")


def api_bad_request(request, exception=None):
    """400 for requests Django rejects before a view (bad host, malformed body limits)."""
    if _is_api(request):
        return json_error(400, _("Bad request."), "bad_request")
    return error_page(request, 400, "400.html")


# Fields never written back into the page that offers to send a refused form again.
_NOT_RESENT = {"csrfmiddlewaretoken"}
_SECRET = ("password", "token", "secret")


def _same_origin(request) -> bool:
    """Whether the refused POST came from one of our own pages (so sending it again is what the user meant)."""
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER") or ""
    if not origin:
        return False
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.get_host()}"


def resendable_fields(request) -> list[tuple[str, str]]:
    """What the user typed into the refused form, minus the token, secrets and files; empty for a foreign POST."""
    if request.method != "POST" or not _same_origin(request):
        return []
    try:
        data = request.POST
    except Exception:  # an unreadable body (too big, malformed) has nothing to give back
        return []
    return [(name, value) for name, values in data.lists() for value in values
            if name not in _NOT_RESENT and not any(word in name.lower() for word in _SECRET)]


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: the session changed (logged in or out elsewhere, or the page was open for long).

    Browser forms get a page in the user's language that shows what was typed, in a form with a fresh token, so it
    can be checked and sent again (passwords and files are never written back); a POST from another site gets only
    the explanation. The API answers JSON.
    """
    if _is_api(request):
        return json_error(403, _("CSRF check failed; send the request again with a fresh token."), "csrf_failed")
    logger.info("CSRF failure on %s: %s", request.path, reason)
    fields = resendable_fields(request)
    return error_page(request, 403, "csrf_failure.html", {
        "fields": fields, "action": request.get_full_path(),
        "dropped_secret": bool(fields) and any(any(w in name.lower() for w in _SECRET) for name in request.POST),
        "dropped_files": bool(fields) and bool(request.FILES),
    })
