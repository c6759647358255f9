"""Customer pages: one-box search (with walk-ins), the customer 360, edit, reveal, do-not-call, consent, picker."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from crm_site.web import ScopedListView, ScopeRequiredMixin
from vehicles.models import Vehicle

from .. import choices, privacy, selectors, services
from ..forms import ConsentForm, CustomerForm, DoNotCallForm, add_service_errors, national_mobile
from ..models import Customer, CustomerDealer
from ..timeline import customer_timeline
from .access import CUSTOMER_WRITERS, LEAD_ROLES, REVEALERS, SALE_ROLES, VISIT_ROLES


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
        role = self.scope.role
        context.update(can_visit=role in VISIT_ROLES, can_sell=role in SALE_ROLES, can_lead=role in LEAD_ROLES)
        return context


def consent_matrix(customer: Customer) -> list[dict]:
    """Rows per channel, one cell per purpose, with the record in force (None when never asked)."""
    current = services.consent_current(customer)
    return [
        {"label": channel_label,
         "cells": [current.get((channel, purpose)) for purpose, _label in choices.ConsentPurpose.choices]}
        for channel, channel_label in choices.ConsentChannel.choices
    ]


# Short labels of timeline kinds; sources added later by other apps show their kind until they get one here.
TIMELINE_LABELS = {
    "sale": gettext_lazy("Sale"),
    "service_visit": gettext_lazy("Service"),
    "related_purchase": gettext_lazy("Related"),
    "lead": gettext_lazy("Lead"),
    "ownership": gettext_lazy("Ownership"),
}


def labelled_timeline(scope, customer: Customer) -> list:
    """The customer's timeline with a label per event kind for the page."""
    events = customer_timeline(scope, customer)
    for event in events:
        event.label = TIMELINE_LABELS.get(event.kind, event.kind)
    return events


def render_360(request, scope, customer: Customer, *, status: int = 200, **extra) -> HttpResponse:
    """The customer 360 page; failed forms come back through here with their errors and input."""
    sees_full = privacy.sees_full_mobile(scope)
    context = {
        "customer": customer,
        "mobile_shown": national_mobile(privacy.shown_mobile(scope, customer)),
        "mobile_masked": bool(customer.mobile) and not sees_full,
        "id_number_shown": privacy.shown_id_number(customer),
        "may_write": scope.role in CUSTOMER_WRITERS,
        "may_reveal": scope.role in REVEALERS,
        "dnc_history": customer.do_not_call_changes.select_related("changed_by")[:20],
        "consent_purposes": [label for _value, label in choices.ConsentPurpose.choices],
        "consent_rows": consent_matrix(customer),
        "consent_history": customer.consents.select_related("recorded_by")[:30],
        "contact_points": customer.contact_points.order_by("kind", "pk"),
        "vehicles": Vehicle.objects.scoped(scope).filter(owner=customer).select_related("model", "selling_dealer"),
        "dealer_links": CustomerDealer.objects.scoped(scope).filter(customer=customer).select_related("dealer")
        .order_by("dealer__code"),
        "timeline": labelled_timeline(scope, customer),
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
        if self.scope.role not in self.write_roles:
            raise PermissionDenied


class CustomerDetail(CustomerScopedMixin, View):
    """The customer 360 (统一客户视图): who they are, consent, vehicles, dealers and everything that happened."""

    def get(self, request, pk: int):
        return render_360(request, self.scope, self.get_customer(pk))


class CustomerEdit(CustomerScopedMixin, View):
    """Correct a customer's record."""

    write_roles = CUSTOMER_WRITERS

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

    write_roles = REVEALERS

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

    write_roles = CUSTOMER_WRITERS

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

    write_roles = CUSTOMER_WRITERS

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
