"""JSON errors for every failure, so no input ever answers 500 with an HTML page."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
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


def api_not_found(request, exception=None):
    """404 for unknown URLs: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error(404, _("Not found."), "not_found")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Http404())


def api_server_error(request):
    """500 answer: JSON under /api/ (kept for safety; input must never reach it)."""
    if request.path.startswith("/api/"):
        return json_error(500, _("Server error."), "server_error")
    from django.views.defaults import server_error

    return server_error(request)


def api_bad_request(request, exception=None):
    """400 for requests Django rejects before a view (bad host, malformed body limits)."""
    if request.path.startswith("/api/"):
        return json_error(400, _("Bad request."), "bad_request")
    from django.views.defaults import bad_request

    return bad_request(request, exception)

