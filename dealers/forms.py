"""Browser forms of the organisation pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from crm_site.forms import ScopedModelForm
from crm_site.validators import national_mobile, normalize_mobile

from .access import grantable_roles
from .choices import DEALER_ROLES, Role, placement
from .models import ApiClient, Dealer, Region, User


class RegionForm(ScopedModelForm):
    """Create or edit a region."""

    class Meta:
        model = Region
        fields = ["code", "name"]


class DealerForm(ScopedModelForm):
    """Create or edit a dealer."""

    class Meta:
        model = Dealer
        fields = ["code", "name", "region", "city", "is_active"]


class UserForm(ScopedModelForm):
    """Create or edit a staff user; a dealer manager only sees dealer roles and their own dealer."""

    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), required=False, strip=False,
        help_text=_("Required for a new user; leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "staff_code", "mobile", "email", "role", "region", "dealer", "is_active"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, scope=scope, **kwargs)
        self.fields["role"].required = True
        self.fields["mobile"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        if self.instance.mobile and not self.is_bound:
            self.initial["mobile"] = national_mobile(self.instance.mobile)  # the 11 digits people type
        grantable = grantable_roles(scope)
        self.fields["role"].choices = [("", "---------")] + [(r.value, r.label) for r in Role if r in grantable]
        if scope.single_dealer_id:
            # A store's manager adds staff to their own store: no region, the dealer preset.
            del self.fields["region"]
            self.fields["dealer"].queryset = Dealer.objects.scoped(scope)
            self.fields["dealer"].initial = scope.single_dealer_id
            self.fields["dealer"].required = True

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile") or ""
        return normalize_mobile(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        role = data.get("role")
        data["dealer"], data["region"] = placement(role, data.get("dealer"), data.get("region"))
        if role in DEALER_ROLES and not data["dealer"]:
            self.add_error("dealer", _("This role works at a dealer: choose the dealer."))
        elif role == Role.REGION_MANAGER and not data["region"]:
            self.add_error("region", _("A region manager needs a region."))
        password = data.get("password")
        if self.instance.pk is None and not password:
            self.add_error("password", _("Set a password for the new user."))
        if password:
            candidate = User(username=data.get("username") or "")
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class ApiClientForm(ScopedModelForm):
    """Create an API client for a dealer (or the whole tenant)."""

    class Meta:
        model = ApiClient
        fields = ["name", "dealer", "access"]

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, scope=scope, **kwargs)
        if scope.single_dealer_id:
            # A store's own client always belongs to that store.
            self.fields["dealer"].required = True
            self.fields["dealer"].empty_label = None
