"""Browser pages: the OEM admin manages regions, dealers, users and API clients; a dealer manager their staff."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm_site.models import DataRetention, audit
from crm_site.web import ScopedCreateView, ScopedListView, ScopedUpdateView, ScopeRequiredMixin

from . import services
from .access import (
    API_CLIENT_MANAGE,
    DEALER_VIEW,
    ORG_EDIT,
    ORG_VIEW,
    PERSONAL_DATA_GRANT,
    SECOND_FACTOR_MANAGE,
    SECOND_FACTOR_ROLES,
    STAFF_MANAGE,
    may_manage_user,
)
from .choices import Role
from .filtersets import DealerFilterSet, UserFilterSet
from .forms import ApiClientForm, DealerForm, RegionForm, UserForm
from .models import ApiClient, Dealer, Region, User
from .selectors import role_policies


class RegionList(ScopedListView):
    model = Region
    read_permission = ORG_VIEW
    write_permission = ORG_EDIT
    template_name = "dealers/region_list.html"

    def get_queryset(self):
        return super().get_queryset().order_by("code")


class RegionCreate(ScopedCreateView):
    model = Region
    form_class = RegionForm
    read_permission = write_permission = ORG_EDIT
    template_name = "form.html"
    success_url = reverse_lazy("dealers:region-list")
    extra_context = {"title": gettext_lazy("New region")}


class RegionUpdate(ScopedUpdateView):
    model = Region
    form_class = RegionForm
    read_permission = write_permission = ORG_EDIT
    template_name = "form.html"
    success_url = reverse_lazy("dealers:region-list")


class DealerList(ScopedListView):
    model = Dealer
    filterset_class = DealerFilterSet
    read_permission = DEALER_VIEW
    write_permission = ORG_EDIT
    template_name = "dealers/dealer_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("region").order_by("code")


class DealerCreate(ScopedCreateView):
    model = Dealer
    form_class = DealerForm
    read_permission = write_permission = ORG_EDIT
    template_name = "form.html"
    success_url = reverse_lazy("dealers:dealer-list")
    extra_context = {"title": gettext_lazy("New dealer")}


class DealerUpdate(ScopedUpdateView):
    model = Dealer
    form_class = DealerForm
    read_permission = write_permission = ORG_EDIT
    template_name = "form.html"
    success_url = reverse_lazy("dealers:dealer-list")


class UserList(ScopedListView):
    model = User
    filterset_class = UserFilterSet
    read_permission = write_permission = STAFF_MANAGE
    template_name = "dealers/user_list.html"

    def get_queryset(self):
        # Whether each user has a code app, in the same statement (HQ resets one from here).
        has_code_app = Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))
        return (super().get_queryset().select_related("dealer", "region").annotate(has_code_app=has_code_app)
                .order_by("username"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_reset_second_factor"] = SECOND_FACTOR_MANAGE.allows(self.scope)
        return context


class UserWriteMixin:
    model = User
    form_class = UserForm
    read_permission = write_permission = STAFF_MANAGE
    template_name = "form.html"
    success_url = reverse_lazy("dealers:user-list")

    def may_write(self, obj=None) -> bool:
        return may_manage_user(self.scope, obj)


class UserCreate(UserWriteMixin, ScopedCreateView):
    extra_context = {"title": gettext_lazy("New user")}


class UserUpdate(UserWriteMixin, ScopedUpdateView):
    pass


class ApiClientList(ScopedListView):
    model = ApiClient
    read_permission = write_permission = API_CLIENT_MANAGE
    template_name = "dealers/apiclient_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("dealer").order_by("revoked_at", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_grant"] = PERSONAL_DATA_GRANT.allows(self.scope)
        return context


class ApiClientCreate(ScopeRequiredMixin, View):
    """Create an API client and show its token once."""

    read_permission = write_permission = API_CLIENT_MANAGE

    def get(self, request):
        return render(request, "form.html", {"form": ApiClientForm(scope=self.scope), "title": gettext_lazy("New API client")})

    def post(self, request):
        form = ApiClientForm(request.POST, scope=self.scope)
        if not form.is_valid():
            return render(request, "form.html", {"form": form, "title": gettext_lazy("New API client")})
        data = form.cleaned_data
        client, token = services.api_client_create(
            scope=self.scope, name=data["name"], dealer=data.get("dealer"), access=data["access"]
        )
        return render(request, "dealers/apiclient_token.html", {"client": client, "token": token})


class ApiClientActionMixin(ScopeRequiredMixin):
    """Revoking or rotating one API client: GET asks to confirm, POST does it (a token cannot be undone)."""

    read_permission = write_permission = API_CLIENT_MANAGE
    action = ""

    def get_client(self, pk: int) -> ApiClient:
        client = get_object_or_404(ApiClient.objects.scoped(self.scope).select_related("dealer"), pk=pk)
        if not self.may_write(client):
            raise PermissionDenied
        if client.revoked_at is not None:
            raise Http404  # a revoked client has no token left to revoke or replace
        return client

    def get(self, request, pk: int):
        return render(request, "dealers/apiclient_confirm.html", {"client": self.get_client(pk), "action": self.action})


class ApiClientRevoke(ApiClientActionMixin, View):
    """Revoke an API client after a confirmation page."""

    action = "revoke"

    def post(self, request, pk: int):
        client = get_object_or_404(ApiClient.objects.scoped(self.scope), pk=pk)
        if not self.may_write(client):
            raise PermissionDenied
        services.api_client_revoke(scope=self.scope, client=client)
        messages.success(request, _("The client's token no longer works."))
        return redirect("dealers:apiclient-list")


class ApiClientPersonalData(ScopeRequiredMixin, View):
    """POST: HQ grants or withdraws a tenant-wide integration's reading of personal data in full (audited)."""

    read_permission = write_permission = PERSONAL_DATA_GRANT

    def post(self, request, pk: int):
        client = get_object_or_404(ApiClient.objects.scoped(self.scope), pk=pk)
        services.api_client_set_personal_data(scope=self.scope, client=client,
                                              granted=request.POST.get("granted") == "1")
        messages.success(request, _("Saved."))
        return redirect("dealers:apiclient-list")


class ApiClientRotate(ApiClientActionMixin, View):
    """Give an API client a new token after a confirmation page, and show it once; the old one stops working."""

    action = "rotate"

    def post(self, request, pk: int):
        client = self.get_client(pk)
        token = services.api_client_rotate(scope=self.scope, client=client)
        return render(request, "dealers/apiclient_token.html", {"client": client, "token": token, "rotated": True})


class DataRetentionForm(forms.ModelForm):
    """The tenant's keeping periods, in months."""

    class Meta:
        model = DataRetention
        fields = ["audit_months", "call_notes_months", "attachments_months", "history_months"]


class DataRetentionEdit(ScopeRequiredMixin, View):
    """HQ sets how long audit rows, call notes and attachments are kept; the nightly purge applies it."""

    read_permission = (ORG_VIEW, ORG_EDIT)
    write_permission = ORG_EDIT

    def get_object(self):
        return DataRetention.for_tenant(self.scope.tenant_id)

    def render_page(self, request, form):
        return render(request, "form.html", {"form": form, "title": gettext_lazy("Keeping periods"),
                                             "intro": gettext_lazy(
                                                 "What is older than these periods is deleted or blanked every "
                                                 "night (purge_expired_data); the records behind the figures stay."),
                                             "read_only": not self.may_write()})

    def get(self, request):
        return self.render_page(request, DataRetentionForm(instance=self.get_object()))

    def post(self, request):
        if not self.may_write():
            raise PermissionDenied
        form = DataRetentionForm(request.POST, instance=self.get_object())
        if not form.is_valid():
            return self.render_page(request, form)
        row = form.save(commit=False)
        row.tenant_id = self.scope.tenant_id
        row.save()
        audit(self.scope, "data_retention.update", row, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect("dealers:data-retention")


class RolePolicyEdit(ScopeRequiredMixin, View):
    """HQ decides per role: mobiles in full (a personal-data grant) and a required second factor (audited)."""

    read_permission = write_permission = PERSONAL_DATA_GRANT

    def get(self, request):
        return render(request, "dealers/role_policies.html", {
            "policies": role_policies(tenant_id=self.scope.tenant_id),
            "second_factor_roles": SECOND_FACTOR_ROLES, "may_write": self.may_write()})

    def post(self, request):
        if not (self.may_write() and SECOND_FACTOR_MANAGE.allows(self.scope)):
            raise PermissionDenied
        for role in Role.values:
            services.role_policy_update(
                scope=self.scope, role=role, full_mobiles=request.POST.get(f"full_mobiles-{role}") == "1",
                second_factor_required=request.POST.get(f"second_factor-{role}") == "1")
        messages.success(request, _("Saved."))
        return redirect("dealers:role-policies")
