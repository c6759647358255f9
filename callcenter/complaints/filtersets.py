"""Filters of the complaints list and the `complaints` resource (choices from the caller's scope)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.api.filters import DealerFilter, ScopedFilterSet

from ..models import ACTIVE_STATUSES, Complaint, ComplaintCategory, ComplaintStatus, Level, Severity


def overdue_q(now=None) -> Q:
    """Being worked and past a due time: no first contact by its due time, or not resolved by its due time."""
    now = now or timezone.now()
    return Q(status__in=ACTIVE_STATUSES) & (
        Q(first_contact_at__isnull=True, first_contact_due__lt=now) | Q(resolution_due__lt=now))


class ComplaintFilterSet(ScopedFilterSet):
    """dealer, status, level, severity, category, overdue, updated_after and the number or text."""

    q = django_filters.CharFilter(method="search", label=_("Number or text"))
    dealer = DealerFilter()
    status = django_filters.MultipleChoiceFilter(choices=ComplaintStatus.choices, label=_("Status"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    category = django_filters.ModelChoiceFilter(queryset=ComplaintCategory.objects.all(), label=_("Category"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("Customer id"), min_value=1,
                                           max_value=2**63 - 1)

    class Meta:
        model = Complaint
        fields = ["dealer", "status", "level", "severity", "category", "overdue", "customer"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__iexact=value) | Q(description__icontains=value)) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
