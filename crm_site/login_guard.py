"""Login protection (issue 14): repeated failures lock the account (django-axes, per username), and an address that
fails very often is refused for a while; successful logins are never counted, so a call center of 200 agents
behind one address logging in at 9:00 is never locked out.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.utils.translation import gettext_lazy

WINDOW_SECONDS = 15 * 60


def client_address(request) -> str:
    """The caller's address as the server sees it (behind the proxy, gunicorn is given the client's)."""
    request = getattr(request, "_request", request)
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _key(address: str) -> str:
    return f"login-fail:{address}"


def address_blocked(request) -> bool:
    """Whether this address failed more often than any office of honest people would in the window."""
    address = client_address(request)
    limit = getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", 100)
    return bool(address) and (cache.get(_key(address)) or 0) >= limit


@receiver(user_login_failed, dispatch_uid="crm_login_failure_per_address")
def count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """Count a failed login against its address for the window."""
    address = client_address(request)
    if not address:
        return
    key = _key(address)
    if cache.add(key, 1, WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)


ADDRESS_BLOCKED = gettext_lazy("Too many failed logins from your network. Try again in 15 minutes, or ask your "
                               "administrator.")


class LoginView(auth_views.LoginView):
    """Django's login page, refusing an address that failed too often (the account lockout is django-axes')."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if address_blocked(request):
            form = self.get_form()
            form.is_valid()  # keep what was typed, show the refusal
            form.add_error(None, ADDRESS_BLOCKED)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)
