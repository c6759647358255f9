"""Filters of the organisation resources."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.api.filters import ScopedFilterSet

from .choices import Role
from .models import ApiClient, Dealer, Region, User


class RegionFilterSet(ScopedFilterSet):
    """Filter regions by text."""

    q = django_filters.CharFilter(method="search", label=_("Name or code contains"))

    class Meta:
        model = Region
        fields = ["code"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class DealerFilterSet(ScopedFilterSet):
    """Filter dealers by region, activity and text."""

    q = django_filters.CharFilter(method="search", label=_("Name, code or city contains"))
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all())

    class Meta:
        model = Dealer
        fields = ["region", "code", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(city__icontains=value))


class UserFilterSet(ScopedFilterSet):
    """Filter staff by role, dealer, region, activity and text."""

    q = django_filters.CharFilter(method="search", label=_("Username or name contains"))
    role = django_filters.ChoiceFilter(choices=Role.choices)
    dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.all())
    region = django_filters.ModelChoiceFilter(queryset=Region.objects.all())

    class Meta:
        model = User
        fields = ["role", "dealer", "region", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))


class ApiClientFilterSet(ScopedFilterSet):
    """Filter API clients by dealer, access and whether revoked."""

    dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.all())
    revoked = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ApiClient
        fields = ["dealer", "access"]
