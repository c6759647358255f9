"""The customer value page: how many customers in each tier, the rule of each, and the customers themselves."""

from __future__ import annotations

from django.db.models import Count
from django.views.generic import ListView

from crm_site.web import ScopeRequiredMixin
from customers.privacy import shown_mobile

from .access import RETENTION_VIEW
from .models import CustomerValue
from .value import FM_MONTHS, TIER_RULES


class CustomerValueList(ScopeRequiredMixin, ListView):
    """Customers by value tier, best first, with their RFM and 3R."""

    template_name = "retention/customer_value.html"
    read_permission = RETENTION_VIEW
    paginate_by = 50

    def get_queryset(self):
        rows = CustomerValue.objects.scoped(self.scope).select_related("customer")
        tier = self.request.GET.get("tier", "")
        if tier in CustomerValue.Tier.values:
            rows = rows.filter(tier=tier)
        return rows.order_by("-r", "-m", "-f", "customer_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(CustomerValue.objects.scoped(self.scope).values_list("tier").annotate(n=Count("id")))
        context["tiers"] = [{"code": code, "label": label, "rule": TIER_RULES[code], "count": counts.get(code, 0)}
                            for code, label in CustomerValue.Tier.choices]
        context["tier"] = self.request.GET.get("tier", "")
        context["fm_months"] = FM_MONTHS
        for row in context["object_list"]:
            row.mobile_shown = shown_mobile(self.scope, row.customer)
        return context
