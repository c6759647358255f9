"""Customer pages: one-box search (with walk-ins), the customer 360, edit, reveal, do-not-call, consent, picker."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from crm_site.access import holds
from crm_site.registry import registry
from crm_site.timeline import customer_timeline
from crm_site.validators import national_mobile
from crm_site.web import ScopedListView, ScopeRequiredMixin

from .. import choices, privacy, selectors, services
from ..access import CONSENT_RECORD, CUSTOMER_EDIT, DATA_SUBJECT_RIGHTS, LEAD_EDIT, NUMBER_REVEAL
from ..forms import ConsentForm, CustomerForm, DoNotCallForm, add_service_errors
from ..models import Customer, CustomerDealer


def is_htmx(request) -> bool:
    """A request made by htmx for a page fragment."""
    return request.headers.get("HX-Request") == "true"


class CustomerSearch(ScopedListView):
    """Find a customer by name, mobile, VIN or plate; dealer staff also see walk-ins served elsewhere, masked."""

    model = Customer
    template_name = "customers/search.html"
    paginate_by = 25

    def get_queryset(self):
        # Nothing longer than a name or a VIN is worth searching for.
        self.key = selectors.search_key(self.request.GET.get("q", "")[:100])
        return selectors.customer_search(self.scope, self.key)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        context["key"] = self.key
        context["walk_ins"] = selectors.walk_in_lookup(self.scope, self.key)
        # Recording a visit or a sale belongs to the vehicles app: asked by permission code, not imported.
        context.update(can_visit=holds(self.scope, "vehicles.visit_record"),
                       can_sell=holds(self.scope, "vehicles.sale_record"),
                       can_lead=LEAD_EDIT.allows(self.scope))
        return context


def consent_matrix(customer: Customer) -> list[dict]:
    """Rows per channel, one cell per purpose, with the record in force (None when never asked)."""
    current = services.consent_current(customer)
    return [
        {"label": channel_label,
         "cells": [current.get((channel, purpose)) for purpose, _label in choices.ConsentPurpose.choices]}
        for channel, channel_label in choices.ConsentChannel.choices
    ]


def render_360(request, scope, customer: Customer, *, status: int = 200, **extra) -> HttpResponse:
    """The customer 360 page; failed forms come back through here with their errors and input."""
    sees_full = privacy.sees_full_mobile(scope)
    context = {
        "customer": customer,
        "mobile_shown": national_mobile(privacy.shown_mobile(scope, customer)),
        "mobile_masked": bool(customer.mobile) and not sees_full,
        "id_number_shown": privacy.shown_id_number(customer),
        "may_write": CUSTOMER_EDIT.allows(scope),
        "may_record_consent": CONSENT_RECORD.allows(scope),
        "may_reveal": NUMBER_REVEAL.allows(scope),
        "may_data_rights": DATA_SUBJECT_RIGHTS.allows(scope),
        "dnc_history": customer.do_not_call_changes.select_related("changed_by")[:20],
        "consent_purposes": [label for _value, label in choices.ConsentPurpose.choices],
        "consent_rows": consent_matrix(customer),
        "consent_history": customer.consents.select_related("recorded_by")[:30],
        "contact_points": customer.contact_points.order_by("kind", "pk"),
        "panels": [{"template": panel.template, "rows": panel.rows(scope, customer)}
                   for panel in registry["customer_panels"]],
        "dealer_links": CustomerDealer.objects.scoped(scope).filter(customer=customer).select_related("dealer")
        .order_by("dealer__code"),
        "timeline": customer_timeline(scope, customer),
        "dnc_form": DoNotCallForm(initial={"do_not_call": not customer.do_not_call}),
        "consent_form": ConsentForm(),
        **extra,
    }
    return render(request, "customers/detail.html", context, status=status)


class CustomerScopedMixin(ScopeRequiredMixin):
    """Pages about one customer in the scope; another dealer's or tenant's customer answers 404."""

    def get_customer(self, pk: int) -> Customer:
        return get_object_or_404(Customer.objects.scoped(self.scope), pk=pk)

    def check_write(self) -> None:
        if not self.may_write():
            raise PermissionDenied


class CustomerDetail(CustomerScopedMixin, View):
    """The customer 360 (统一客户视图): who they are, consent, vehicles, dealers and everything that happened."""

    def get(self, request, pk: int):
        return render_360(request, self.scope, self.get_customer(pk))


class CustomerEdit(CustomerScopedMixin, View):
    """Correct a customer's record."""

    write_permission = CUSTOMER_EDIT

    def get(self, request, pk: int):
        customer = self.get_customer(pk)
        self.check_write()
        return self.render(request, CustomerForm(customer=customer), customer)

    def post(self, request, pk: int):
        customer = self.get_customer(pk)
        self.check_write()
        form = CustomerForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                services.customer_update(scope=self.scope, customer=customer, data=form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("customers:detail", pk=customer.pk)
        customer.refresh_from_db()
        return self.render(request, form, customer)

    def render(self, request, form, customer):
        title = _("Edit: %(name)s") % {"name": customer.name}
        return render(request, "form.html", {"form": form, "title": title})


class CustomerReveal(CustomerScopedMixin, View):
    """Show a mobile or ID number in full (POST, logged as an audit event)."""

    write_permission = NUMBER_REVEAL

    def post(self, request, pk: int, field: str):
        customer = self.get_customer(pk)
        self.check_write()
        if field not in {"mobile", "id_number"}:
            raise Http404
        value = services.customer_reveal(scope=self.scope, customer=customer, field=field)
        if field == "mobile":
            value = national_mobile(value)
        if is_htmx(request):
            return HttpResponse(format_html('<span class="revealed" data-field="{}">{}</span>', field,
                                            value or "—"))
        return render_360(request, self.scope, customer, revealed={field: value})


class CustomerDoNotCall(CustomerScopedMixin, View):
    """Set or clear the do-not-call flag, with a reason kept in the history."""

    write_permission = CONSENT_RECORD

    def post(self, request, pk: int):
        customer = self.get_customer(pk)
        self.check_write()
        form = DoNotCallForm(request.POST)
        if not form.is_valid():
            return render_360(request, self.scope, customer, dnc_form=form)
        services.customer_set_do_not_call(scope=self.scope, customer=customer,
                                          do_not_call=form.cleaned_data["do_not_call"],
                                          reason=form.cleaned_data["reason"].strip())
        messages.success(request, _("Do-not-call updated."))
        return redirect(reverse("customers:detail", args=[customer.pk]) + "#privacy")


class CustomerConsent(CustomerScopedMixin, View):
    """Record a consent given or withdrawn for one channel and purpose."""

    write_permission = CONSENT_RECORD

    def post(self, request, pk: int):
        customer = self.get_customer(pk)
        self.check_write()
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                services.consent_record(scope=self.scope, customer=customer, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Consent recorded."))
                return redirect(reverse("customers:detail", args=[customer.pk]) + "#privacy")
        return render_360(request, self.scope, customer, consent_form=form)


PICK_FIELDS = {"customer", "referred_by", "new_owner"}


class CustomerPick(ScopeRequiredMixin, View):
    """Radio buttons of a few matching customers, swapped into a form by htmx (never a full list)."""

    def get(self, request):
        field = request.GET.get("field", "customer")
        if field not in PICK_FIELDS:
            field = "customer"
        text = request.GET.get(f"{field}_q", "") or request.GET.get("q", "")
        found = selectors.customer_pick(self.scope, text) if text.strip() else []
        return render(request, "customers/_pick_results.html",
                      {"found": found, "field": field, "searched": bool(text.strip())})
