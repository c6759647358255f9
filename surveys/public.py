"""The public survey page `/s/<token>/`: no login, one form, the response saved inside the token's tenant.

The token is checked before the database is asked (its signature); its tenant is entered (row-level security)
before the invitation is read, so the read and the saved response run restricted to that one tenant, as a logged-in
request would. Every request counts against a per-address limit kept in Redis.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from crm_site import rls
from crm_site.api.throttling import _counter
from crm_site.scope import Scope

from .choices import AnsweredVia, InvitationStatus
from .links import token_read
from .models import SurveyInvitation
from .plugin import shown_questions

# Requests per address per minute: plenty for a family sharing one connection, too few to guess tokens.
# (The benchmark, all from one address, raises it through the environment.)
RATE_PER_MINUTE = int(getattr(settings, "SURVEY_LINK_RATE_PER_MINUTE", 0) or os.environ.get(
    "SURVEY_LINK_RATE_PER_MINUTE", 60))
TEMPLATE = "surveys/link.html"


def client_address(request) -> str:
    """The caller's address (the proxy in front sets REMOTE_ADDR; X-Forwarded-For is not trusted)."""
    return request.META.get("REMOTE_ADDR") or ""


def over_limit(address: str) -> bool:
    """Count this request for the address; True when it is over the limit for the current minute."""
    key = cache.make_and_validate_key(f"survey-link:{address}")
    counter = _counter(cache)
    if counter is not None:
        count, _left = counter(keys=[key], args=[60])
    else:
        cache.add(key, 0, 60)
        count = cache.incr(key)
    return count > RATE_PER_MINUTE


def _page(request, state: str, status: int = 200, **context):
    return render(request, TEMPLATE, {"state": state, **context}, status=status)


def _record_open(invitation: SurveyInvitation, address: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO surveys_surveylinkopen (tenant_id, invitation_id, dealer_id, address, count, last_at,
                                                created_at, updated_at)
            VALUES (%s, %s, %s, %s, 1, %s, %s, %s)
            ON CONFLICT (invitation_id, address) DO UPDATE
            SET count = surveys_surveylinkopen.count + 1, last_at = EXCLUDED.last_at""",
                       [invitation.tenant_id, invitation.pk, invitation.dealer_id, address, *[timezone.now()] * 3])


# The empty form of a template version in a language, rendered once per process: a version never changes (an edit
# makes a new one), and most requests are first opens of a link.
_FRAGMENTS: dict[tuple[int, str], str] = {}


def _questions_html(template, questions: list, total: int) -> str:
    key = (template.pk, get_language() or "")
    html = _FRAGMENTS.get(key)
    if html is None:
        if len(_FRAGMENTS) > 500:
            _FRAGMENTS.clear()
        # render_to_string gives a SafeString: the template escaped every value.
        html = _FRAGMENTS[key] = render_to_string("surveys/_link_questions.html",
                                                  {"questions": questions, "total": total})
    return html


def _context(invitation: SurveyInvitation, values: dict, errors: dict) -> dict:
    questions = shown_questions(invitation.template, values, errors)
    context = {"invitation": invitation, "dealer": invitation.dealer, "questions": questions,
               "total": len(questions)}
    if not values and not errors:
        context["questions_html"] = _questions_html(invitation.template, questions, len(questions))
    return context


@csrf_protect
@require_http_methods(["GET", "POST"])
def survey_link(request, token: str):
    """Show the survey of a link, or save its answers; a used, expired or unknown link says so and saves nothing."""
    address = client_address(request)
    if over_limit(address):
        return _page(request, "busy", status=429)
    found = token_read(token)
    if found is None:
        return _page(request, "invalid", status=404)
    tenant_id, invitation_id, nonce = found
    rls.enter(tenant_id)
    invitation = SurveyInvitation._base_manager.select_related("template", "dealer", "vehicle__model").filter(
        tenant_id=tenant_id, pk=invitation_id, nonce=nonce, channel="link").first()
    if invitation is None:
        return _page(request, "invalid", status=404)
    if invitation.status == InvitationStatus.ANSWERED:
        return _page(request, "used", status=410, invitation=invitation, dealer=invitation.dealer)
    if invitation.status != InvitationStatus.PENDING or invitation.expires_at <= timezone.now():
        return _page(request, "expired", status=410, invitation=invitation, dealer=invitation.dealer)
    if invitation.kind == "dealer":
        return _page(request, "invalid", status=404)  # managers answer the dealer survey logged in
    if request.method == "GET":
        if address:
            _record_open(invitation, address)
        return _page(request, "form", **_context(invitation, {}, {}))
    from .services import response_record

    values = {q["code"]: request.POST.get(q["code"], "") for q in invitation.template.questions}
    try:
        response_record(scope=Scope.system(tenant_id), invitation=invitation, answers=values, via=AnsweredVia.LINK,
                        remote_addr=address or None)
    except ValidationError as exc:
        errors = exc.message_dict
        if "invitation" in errors:
            invitation.refresh_from_db(fields=["status"])
            state = "used" if invitation.status == InvitationStatus.ANSWERED else "expired"
            return _page(request, state, status=410, invitation=invitation, dealer=invitation.dealer)
        return _page(request, "form", status=400, **_context(invitation, values, errors))
    return _page(request, "thanks", invitation=invitation, dealer=invitation.dealer)
