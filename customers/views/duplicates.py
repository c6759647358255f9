"""Likely duplicate customers in the scope, and merging two of them into one record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from crm_site.validators import national_mobile
from crm_site.web import ScopedListView, ScopeRequiredMixin

from .. import privacy, selectors, services
from ..access import CUSTOMER_MERGE
from ..forms import MergeForm, add_service_errors
from ..models import Customer


class DuplicatePairList:
    """The report's pairs as a sequence the paginator can count and slice, each slice one SQL page."""

    def __init__(self, scope):
        self.scope = scope

    def count(self) -> int:
        return selectors.duplicate_pair_count(self.scope)

    def __getitem__(self, page: slice):
        return selectors.duplicate_pairs(self.scope, offset=page.start or 0, limit=page.stop - (page.start or 0))


class DuplicateReport(ScopedListView):
    """Pairs of customers in the scope that look like the same person, with the rule that matched."""

    model = Customer
    read_permission = write_permission = CUSTOMER_MERGE
    template_name = "customers/duplicates.html"
    paginate_by = 25

    def get_queryset(self):
        return DuplicatePairList(self.scope)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = list(selectors.DUPLICATE_RULES.values())
        return context


def record_summary(scope, customer: Customer) -> dict:
    """What a person deciding a merge needs to see about one record."""
    return {
        "customer": customer,
        "mobile": national_mobile(privacy.shown_mobile(scope, customer)),
        "id_number": privacy.shown_id_number(customer),
        "vehicles": customer.vehicles.count(),
        "purchases": customer.purchases.count(),
        "visits": customer.visits.count(),
        "leads": customer.leads.count(),
    }


class CustomerMergeView(ScopeRequiredMixin, View):
    """Choose the surviving record of two, confirm, merge, then show the survivor."""

    read_permission = write_permission = CUSTOMER_MERGE

    def customers(self, request) -> tuple[Customer, Customer]:
        source = request.POST if request.method == "POST" else request.GET
        ids = [source.get("a", ""), source.get("b", "")]
        scoped = Customer.objects.scoped(self.scope)
        first, second = (get_object_or_404(scoped, pk=int(pk) if pk.isdigit() and len(pk) < 19 else 0)
                         for pk in ids)
        return first, second

    def get(self, request):
        first, second = self.customers(request)
        return self.render(request, MergeForm(first=first, second=second), first, second)

    def post(self, request):
        first, second = self.customers(request)
        form = MergeForm(request.POST, first=first, second=second)
        if form.is_valid():
            survivor, merged = (first, second) if form.cleaned_data["survivor"] == first.pk else (second, first)
            try:
                services.customer_merge(scope=self.scope, survivor=survivor, merged=merged)
            except ValidationError as exc:
                add_service_errors(form, exc, {"merged": "survivor"})
            else:
                messages.success(request, _("%(merged)s was merged into this record.") % {"merged": merged.name})
                return redirect("customers:detail", pk=survivor.pk)
        return self.render(request, form, first, second)

    def render(self, request, form, first, second):
        return render(request, "customers/merge.html", {
            "form": form, "first": record_summary(self.scope, first), "second": record_summary(self.scope, second),
            "same": first.pk == second.pk,
        })
