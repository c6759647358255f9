"""Pages of the second factor: my account (set up, recovery codes, turn off), the code at login, HQ's reset."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views import View
from django_otp import login as otp_login

from crm_site.web import ScopeRequiredMixin

from . import second_factor as sf
from .access import SECOND_FACTOR, SECOND_FACTOR_MANAGE
from .models import User


class CodeForm(forms.Form):
    """One code: six digits from the app, or a recovery code."""

    code = forms.CharField(label=pgettext_lazy("second factor", "Code"), max_length=32, strip=True)

    def __init__(self, *args, recovery: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "spellcheck": "false"}
        if recovery:
            self.fields["code"].label = _("Recovery code")
            self.fields["code"].help_text = _("One of the ten codes you kept when you set up the code app; each "
                                              "works once.")
        else:
            attrs.update({"inputmode": "numeric", "pattern": "[0-9 ]*"})
            self.fields["code"].help_text = _("The 6-digit code your code app shows now.")
        self.fields["code"].widget.attrs.update(attrs)


def next_url(request, default: str = "home") -> str:
    """Where to go after the code: the page first asked for, when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


def mark_verified(request, device) -> None:
    """The code passed: the session is logged in as verified (django-otp), under a new session key."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session[sf.SESSION_KEY] = sf.VERIFY


def code_refused(form: CodeForm, check: sf.CodeCheck) -> None:
    """Put the reason a code did not pass on the form."""
    if check.result is sf.CodeResult.LOCKED:
        form.add_error(None, _("Too many wrong codes: the code is refused for 15 minutes. If you lost your phone, "
                               "ask your OEM administrator to reset your second factor."))
    else:
        form.add_error("code", _("Wrong code. %(left)d more tries, then it is locked for 15 minutes.")
                       % {"left": check.attempts_left})


class AccountPage(ScopeRequiredMixin, View):
    """My account: who I am and, for the roles that may, the second factor and its recovery codes."""

    def get(self, request):
        user = request.user
        context = {"eligible": SECOND_FACTOR.allows(self.scope), "required": sf.required_for(user),
                   "device": sf.confirmed_device(user), "pending": sf.pending_device(user),
                   "recovery_left": sf.recovery_codes_left(user), "next": request.GET.get("next", "")}
        return render(request, "dealers/account.html", context)


class SecondFactorMixin(ScopeRequiredMixin):
    read_permission = SECOND_FACTOR


class SecondFactorEnrol(SecondFactorMixin, View):
    """Set up a code app: POST without a code starts (a new secret), GET shows its QR code, POST with a code confirms."""

    def render_page(self, request, device, form, status=200):
        import segno

        secret = b32encode(device.bin_key).decode()
        context = {"device": device, "form": form, "next": request.POST.get("next") or request.GET.get("next", ""),
                   "qr": segno.make(device.config_url, error="m").svg_inline(scale=5, title=_("QR code of the code app")),
                   "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))}
        return render(request, "dealers/second_factor_enrol.html", context, status=status)

    def get(self, request):
        device = sf.pending_device(request.user)
        if device is None:
            return redirect("dealers:account")
        return self.render_page(request, device, CodeForm())

    def post(self, request):
        if "code" not in request.POST:
            sf.totp_enrol_start(user=request.user)
            target = reverse("dealers:second-factor-enrol")
            nxt = request.POST.get("next")
            if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
                target += "?" + urlencode({"next": nxt})
            return redirect(target)
        device = sf.pending_device(request.user)
        if device is None:
            return redirect("dealers:account")
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, device, form)
        check, codes = sf.totp_enrol_confirm(user=request.user, device=device, code=form.cleaned_data["code"])
        if check.result is not sf.CodeResult.PASSED:
            code_refused(form, check)
            return self.render_page(request, device, form, status=429 if check.result is sf.CodeResult.LOCKED else 200)
        mark_verified(request, check.device)
        return render(request, "dealers/second_factor_codes.html", {"codes": codes, "enrolled": True,
                                                                      "continue_url": next_url(request)})


class RecoveryCodesNew(SecondFactorMixin, View):
    """POST: ten new recovery codes replace the old ones, shown once."""

    def post(self, request):
        if sf.confirmed_device(request.user) is None:
            return redirect("dealers:account")
        codes = sf.recovery_codes_issue(user=request.user)
        return render(request, "dealers/second_factor_codes.html",
                      {"codes": codes, "continue_url": reverse("dealers:account")})


class SecondFactorTurnOff(SecondFactorMixin, View):
    """POST: the user removes their own code app, unless the tenant requires it for their role."""

    def post(self, request):
        if sf.required_for(request.user):
            messages.error(request, _("Your administrator requires a second factor for your role: it cannot be "
                                      "turned off. To move it to a new phone, set it up again."))
            return redirect("dealers:account")
        sf.second_factor_remove(scope=self.scope, user=request.user, action="second_factor.turn_off")
        request.session.pop(sf.SESSION_KEY, None)
        messages.success(request, _("The second factor is off: your password alone logs you in."))
        return redirect("dealers:account")


class SecondFactorCode(ScopeRequiredMixin, View):
    """The code page of a login (after the password): the session counts as verified only once a code passed."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_verified():
            return redirect(next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, request, form, status=200):
        recovery = request.POST.get("recovery") or request.GET.get("recovery")
        return render(request, "dealers/second_factor_code.html",
                      {"form": form, "recovery": bool(recovery), "next": request.POST.get("next")
                       or request.GET.get("next", ""), "locked": sf.code_locked(request.user)}, status=status)

    def no_device(self, request):
        """The code app was reset (or removed) since the password step: set one up if required, else go on."""
        state = sf.login_state(request.user)
        if state is None:
            request.session.pop(sf.SESSION_KEY, None)
            return redirect(next_url(request))
        request.session[sf.SESSION_KEY] = state
        return redirect("dealers:account")

    def get(self, request):
        if sf.confirmed_device(request.user) is None:
            return self.no_device(request)
        recovery = bool(request.GET.get("recovery"))
        return self.render_page(request, CodeForm(recovery=recovery), status=429 if sf.code_locked(request.user)
                                else 200)

    def post(self, request):
        if sf.confirmed_device(request.user) is None:
            return self.no_device(request)
        form = CodeForm(request.POST, recovery=bool(request.POST.get("recovery")))
        if not form.is_valid():
            return self.render_page(request, form)
        check = sf.code_verify(user=request.user, code=form.cleaned_data["code"])
        if check.result is not sf.CodeResult.PASSED:
            code_refused(form, check)
            return self.render_page(request, form, status=429 if check.result is sf.CodeResult.LOCKED else 200)
        mark_verified(request, check.device)
        if check.recovery_code_used:
            messages.warning(request, _("You logged in with a recovery code; %(left)d are left. Make new ones on "
                                        "your account page.") % {"left": check.recovery_codes_left})
        return redirect(next_url(request))


class SecondFactorReset(ScopeRequiredMixin, View):
    """HQ resets a user's code app (a lost phone): GET asks to confirm, POST does it (audited)."""

    read_permission = write_permission = SECOND_FACTOR_MANAGE

    def get_user(self, pk: int) -> User:
        return get_object_or_404(User.objects.scoped(self.scope), pk=pk)

    def get(self, request, pk: int):
        user = self.get_user(pk)
        return render(request, "dealers/second_factor_reset.html",
                      {"staff": user, "device": sf.confirmed_device(user), "required": sf.required_for(user)})

    def post(self, request, pk: int):
        user = self.get_user(pk)
        if not self.may_write(user):
            raise PermissionDenied
        sf.second_factor_reset(scope=self.scope, user=user)
        messages.success(request, _("The second factor of %(user)s is reset.") % {"user": user})
        return redirect("dealers:user-list")
