"""The second factor (TOTP code app, issue 14): enrolment, the code at login, recovery codes, the limit on wrong codes
and HQ's reset. django-otp keeps the devices (its TOTP plugin for the app, its static plugin for recovery codes);
this module decides when a login needs which, and audits every step."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm_site.models import audit
from crm_site.scope import Scope

from .access import SECOND_FACTOR_ROLES
from .models import RolePolicy, User

# The session remembers, from the password step on, what the login still needs (dealers.middleware's gate).
SESSION_KEY = "crm_second_factor"
VERIFY = "verify"  # the user has a code app: the code page until a code passes
ENROL = "enrol"  # the tenant requires one and the user has none: set it up first

RECOVERY_CODE_COUNT = 10
WINDOW_SECONDS = 15 * 60
TOTP_DEVICE_NAME = "code app"


class CodeResult(enum.Enum):
    """What a typed code did."""

    PASSED = "passed"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class CodeCheck:
    """The answer to one typed code: its result, the device that accepted it, and what is left."""

    result: CodeResult
    device: object | None = None
    recovery_code_used: bool = False
    recovery_codes_left: int = 0
    attempts_left: int = 0


def failure_limit() -> int:
    """Wrong codes a user may type within the window before the code is refused for the rest of it."""
    return int(getattr(settings, "SECOND_FACTOR_FAILURE_LIMIT", 5))


def _failures_key(user_id: int) -> str:
    return f"otp-fail:{user_id}"


def failures(user: User) -> int:
    """Wrong codes typed by this user in the current window."""
    return int(cache.get(_failures_key(user.pk)) or 0)


def code_locked(user: User) -> bool:
    """Whether the user typed too many wrong codes in the window (the lock lifts by itself)."""
    return failures(user) >= failure_limit()


def _count_failure(user: User) -> int:
    key = _failures_key(user.pk)
    if cache.add(key, 1, WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def _own_scope(user: User) -> Scope:
    """The user acting on their own account, for the audit log."""
    return Scope(tenant_id=user.tenant_id, role=user.role, user_id=user.pk)


def eligible(user: User) -> bool:
    """Whether the user's role may use a second factor (OEM and call-center roles)."""
    return bool(user.tenant_id) and user.role in SECOND_FACTOR_ROLES


def confirmed_device(user: User) -> TOTPDevice | None:
    """The user's confirmed code app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def pending_device(user: User) -> TOTPDevice | None:
    """The code app being set up (shown as a QR code until a code confirms it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the user holds."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def required_for(user: User) -> bool:
    """Whether the user's tenant requires a second factor for their role."""
    return eligible(user) and RolePolicy.objects.filter(
        tenant_id=user.tenant_id, role=user.role, second_factor_required=True).exists()


def login_state(user: User) -> str | None:
    """What a login of this user still needs after the password: a code (whoever holds a code app), an enrolment
    (a role the tenant requires it for), or nothing."""
    if not user.tenant_id:
        return None
    if confirmed_device(user) is not None:
        return VERIFY
    return ENROL if required_for(user) else None


@receiver(user_logged_in, dispatch_uid="crm_second_factor_on_login")
def _on_login(sender, request, user, **kwargs) -> None:
    """After the password: note in the session what the login still needs; the gate holds the session until then."""
    if request is None or not hasattr(request, "session"):
        return
    state = login_state(user)
    if state:
        request.session[SESSION_KEY] = state
    else:
        request.session.pop(SESSION_KEY, None)


def normalise(code: str) -> str:
    """A typed code without the spaces and dashes people type or paste with it."""
    return re.sub(r"[\s-]+", "", str(code or "")).lower()[:16]


def code_verify(*, user: User, code: str) -> CodeCheck:
    """Check a code from the app (6 digits) or a recovery code (used up); wrong codes are counted per user."""
    limit = failure_limit()
    if code_locked(user):
        return CodeCheck(CodeResult.LOCKED)
    code = normalise(code)
    device, recovery = None, False
    if code:
        with transaction.atomic():
            # Locked rows: two requests with one code cannot both pass (a TOTP step, a recovery code, once).
            if code.isdigit():
                for candidate in TOTPDevice.objects.filter(user=user, confirmed=True).select_for_update():
                    if candidate.verify_token(code):
                        device = candidate
                        break
            if device is None:
                for candidate in StaticDevice.objects.filter(user=user, confirmed=True).select_for_update():
                    if candidate.verify_token(code):
                        device, recovery = candidate, True
                        break
    if device is None:
        count = _count_failure(user)
        if count >= limit:
            audit(_own_scope(user), "second_factor.locked", user, failures=count)
            return CodeCheck(CodeResult.LOCKED)
        return CodeCheck(CodeResult.WRONG, attempts_left=limit - count)
    cache.delete(_failures_key(user.pk))
    left = recovery_codes_left(user) if recovery else 0
    if recovery:
        audit(_own_scope(user), "second_factor.recovery_code_used", user, recovery_codes_left=left)
    return CodeCheck(CodeResult.PASSED, device=device, recovery_code_used=recovery, recovery_codes_left=left)


@transaction.atomic
def totp_enrol_start(*, user: User) -> TOTPDevice:
    """Begin setting up a code app: a new secret, shown until a code from the app confirms it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    audit(_own_scope(user), "second_factor.enrol", user)
    return device


def recovery_codes_issue(*, user: User, reason: str = "new") -> list[str]:
    """Replace the user's recovery codes with ten new ones, returned once (django-otp keeps them for checking)."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
        codes = []
        while len(codes) < RECOVERY_CODE_COUNT:
            token = StaticToken.random_token()
            if token not in codes:
                codes.append(token)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
        if reason == "new":
            audit(_own_scope(user), "second_factor.recovery_codes", user, count=len(codes))
    return codes


def totp_enrol_confirm(*, user: User, device: TOTPDevice, code: str) -> tuple[CodeCheck, list[str]]:
    """Confirm the code app being set up with a code from it; on success it replaces any earlier app and the user
    gets ten new recovery codes (returned, to be shown once). Wrong codes count as at the code page."""
    if code_locked(user):
        return CodeCheck(CodeResult.LOCKED), []
    passed = False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        if locked is not None and normalise(code).isdigit() and locked.verify_token(normalise(code)):
            TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            audit(_own_scope(user), "second_factor.confirm", user)
            passed = True
    if not passed:
        count = _count_failure(user)
        if count >= failure_limit():
            audit(_own_scope(user), "second_factor.locked", user, failures=count)
            return CodeCheck(CodeResult.LOCKED), []
        return CodeCheck(CodeResult.WRONG, attempts_left=failure_limit() - count), []
    cache.delete(_failures_key(user.pk))
    codes = recovery_codes_issue(user=user, reason="enrol")
    return CodeCheck(CodeResult.PASSED, device=locked), codes


@transaction.atomic
def second_factor_remove(*, scope: Scope, user: User, action: str) -> int:
    """Delete the user's code app and recovery codes (HQ's reset of a lost phone, or the user turning it off)."""
    deleted = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit(scope, action, user, devices=deleted)
    cache.delete(_failures_key(user.pk))
    return deleted


def second_factor_reset(*, scope: Scope, user: User) -> int:
    """HQ resets a user's second factor (a lost or new phone); the user sets it up again at the next login if
    required. Audited with who did it."""
    return second_factor_remove(scope=scope, user=user, action="second_factor.reset")
