"""The second-factor gate: a session whose login still needs a code (or an enrolment) reaches only those pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from crm_site.api.errors import json_error

from . import second_factor


def _open_paths(state: str) -> tuple[str, ...]:
    """What a held session may still open: the step it needs, logging out and switching the language."""
    common = (reverse("logout"), "/i18n/", "/static/", "/healthz", "/readyz")
    if state == second_factor.VERIFY:
        return (reverse("dealers:second-factor-code"), *common)
    return (reverse("dealers:account"), reverse("dealers:second-factor-enrol"), *common)


class SecondFactorGateMiddleware:
    """After django-otp's OTPMiddleware: until a code passes, every other page sends the session to the code page
    (or, when the tenant requires a code app the user lacks, to setting one up); the API answers 403.

    The state is in the session from the password step on, so sessions without a second factor cost nothing here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        state = session.get(second_factor.SESSION_KEY) if session is not None else None
        held = bool(state) and request.user.is_authenticated and not request.user.is_verified()
        # The pages a held session may open show no menu or notification bell (base.html): they would lead nowhere.
        request.second_factor_pending = held
        if held and not request.path.startswith(_open_paths(state)):
            return self.hold(request, state)
        return self.get_response(request)

    def hold(self, request, state: str):
        if request.path.startswith("/api/"):
            return json_error(403, _("Enter the code of your code app first (second factor)."), "second_factor_required")
        target = reverse("dealers:second-factor-code" if state == second_factor.VERIFY else "dealers:account")
        if request.headers.get("HX-Request"):
            # A fragment (the bell, a filter) must not receive the code page: htmx sends the whole window there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(f"{target}{'?' + query if query else ''}")
