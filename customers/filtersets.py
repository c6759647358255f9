"""Filters of customers and leads (API lists; choices come from the caller's scope)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm_site.api.filters import DealerFilter, ScopedFilterSet
from crm_site.scope import scope_for_request
from crm_site.validators import normalize_mobile
from dealers.models import User

from . import choices
from .leads import overdue_q
from .models import Customer, CustomerDealer, Lead


class CustomerFilterSet(ScopedFilterSet):
    """Filter customers by linked dealer, kind, do-not-call, key-account owner, exact mobile and name."""

    q = django_filters.CharFilter(method="search", label=_("Name contains, or exact mobile number"))
    mobile = django_filters.CharFilter(method="exact_mobile", label=_("Exact mobile number"))
    dealer = DealerFilter(method="linked_dealer", label=_("Linked to this dealer"))
    key_account_owner = django_filters.ModelChoiceFilter(queryset=User.objects.all())

    class Meta:
        model = Customer
        fields = ["kind", "do_not_call", "key_account_owner"]

    def search(self, queryset, name, value):
        try:
            return queryset.filter(mobile=normalize_mobile(value))
        except ValidationError:
            return queryset.filter(name__icontains=value.strip())

    def exact_mobile(self, queryset, name, value):
        try:
            return queryset.filter(mobile=normalize_mobile(value))
        except ValidationError:
            return queryset.none()

    def linked_dealer(self, queryset, name, value):
        return queryset.filter(pk__in=CustomerDealer.objects.filter(dealer_id=value).values("customer_id"))


class LeadFilterSet(ScopedFilterSet):
    """Filter leads by stage, source, consultant, dealer, own leads and overdue ones."""

    q = django_filters.CharFilter(method="search", label=_("Customer name contains"))
    dealer = DealerFilter()
    assigned_to = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    stage = django_filters.MultipleChoiceFilter(choices=choices.LeadStage.choices)
    source = django_filters.ChoiceFilter(choices=choices.LeadSource.choices)
    mine = django_filters.BooleanFilter(method="assigned_to_me", label=_("Only the leads assigned to me"))
    overdue = django_filters.BooleanFilter(
        method="overdue_leads",
        label=_("Open leads past their next action date, or new ones not contacted within 24 hours"),
    )

    class Meta:
        model = Lead
        fields = ["dealer", "assigned_to", "stage", "source", "interested_model"]

    def search(self, queryset, name, value):
        return queryset.filter(customer__name__icontains=value.strip())

    def assigned_to_me(self, queryset, name, value):
        scope = scope_for_request(self.request)
        if not value:
            return queryset
        return queryset.filter(assigned_to_id=scope.user_id) if scope.user_id else queryset.none()

    def overdue_leads(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

