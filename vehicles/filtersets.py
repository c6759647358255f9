"""Filters of the catalogue, vehicles, sales, service visits and related purchases (choices from the caller's scope)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.api.filters import DealerFilter, ScopedFilterSet
from crm_site.scope import scope_for_request
from crm_site.validators import normalize_plate, normalize_vin
from customers.forms import DateInput
from customers.models import Customer
from dealers.models import Dealer, User

from . import choices
from .models import RelatedPurchase, Sale, ServiceVisit, Vehicle, VehicleDealer, VehicleModel
from .selectors import STATUS_Q, VehicleStatus, catalogue_series_and_years


def _normalized(normalizer, value: str) -> str | None:
    """The normalised value, or None when it cannot be one (the filter then matches nothing)."""
    try:
        return normalizer(value)
    except ValidationError:
        return None


class VehicleModelFilterSet(ScopedFilterSet):
    """Filter the catalogue by series, fuel type, price band, availability and text."""

    q = django_filters.CharFilter(method="search", label=_("Code, series or name contains"))

    class Meta:
        model = VehicleModel
        fields = ["series", "fuel_type", "price_band", "is_active", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(series__icontains=value) | Q(name__icontains=value))


class VehicleFilterSet(ScopedFilterSet):
    """Filter vehicles by exact VIN or plate, owner, model, linked dealer and text."""

    q = django_filters.CharFilter(method="search", label=_("VIN or plate contains"))
    vin = django_filters.CharFilter(method="exact_vin", label=_("Exact VIN"))
    plate = django_filters.CharFilter(method="exact_plate", label=_("Exact plate number"))
    owner = django_filters.ModelChoiceFilter(queryset=Customer.objects.all())
    model = django_filters.ModelChoiceFilter(queryset=VehicleModel.objects.all())
    dealer = DealerFilter(method="linked_dealer", label=_("Linked to this dealer"))

    class Meta:
        model = Vehicle
        fields = ["owner", "model", "selling_dealer"]

    def search(self, queryset, name, value):
        text = "".join(value.split()).upper()
        return queryset.filter(Q(vin__contains=text) | Q(plate__contains=text))

    def exact_vin(self, queryset, name, value):
        vin = _normalized(normalize_vin, value)
        return queryset.filter(vin=vin) if vin else queryset.none()

    def exact_plate(self, queryset, name, value):
        plate = _normalized(normalize_plate, value)
        return queryset.filter(plate=plate) if plate else queryset.none()

    def linked_dealer(self, queryset, name, value):
        return queryset.filter(pk__in=VehicleDealer.objects.filter(dealer_id=value).values("vehicle_id"))


class VehicleListFilterSet(VehicleFilterSet):
    """The vehicle list page: series, model year, selling dealer, delivery dates, status and VIN/plate text."""

    # Exact look-ups, owner and linked dealer serve the API and the counter; the page keeps its own few filters.
    vin = plate = owner = model = dealer = updated_after = None
    series = django_filters.ChoiceFilter(field_name="model__series", label=_("Series"))
    year = django_filters.ChoiceFilter(field_name="model__year", label=_("Model year"))
    # The dealer that sold the car (the list's "selling dealer" column), not any dealer that serviced it.
    selling_dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.order_by("code"),
                                                      label=_("Selling dealer"))
    delivered_after = django_filters.DateFilter(field_name="delivered_on", lookup_expr="gte", widget=DateInput(),
                                                label=_("Delivered on or after"))
    delivered_before = django_filters.DateFilter(field_name="delivered_on", lookup_expr="lte", widget=DateInput(),
                                                 label=_("Delivered on or before"))
    status = django_filters.ChoiceFilter(choices=VehicleStatus.choices, method="by_status", label=_("Status"))

    class Meta:
        model = Vehicle
        fields = ["q", "series", "year", "selling_dealer", "delivered_after", "delivered_before", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for_request(self.request) if self.request is not None else None
        series, years = catalogue_series_and_years(scope) if scope is not None else ([], [])
        self.filters["series"].extra["choices"] = [(name, name) for name in series]
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]

    def by_status(self, queryset, name, value):
        return queryset.filter(STATUS_Q[value])


class SaleFilterSet(ScopedFilterSet):
    """Filter sales by dealer, delivery dates, consultant, customer, vehicle, kind and text."""

    q = django_filters.CharFilter(method="search", label=_("VIN, plate or customer name contains"))
    dealer = DealerFilter()
    consultant = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all())
    vehicle = django_filters.ModelChoiceFilter(queryset=Vehicle.objects.all())
    delivered_after = django_filters.DateFilter(field_name="delivered_on", lookup_expr="gte",
                                                label=_("Delivered on or after"))
    delivered_before = django_filters.DateFilter(field_name="delivered_on", lookup_expr="lte",
                                                 label=_("Delivered on or before"))

    class Meta:
        model = Sale
        fields = ["dealer", "consultant", "customer", "vehicle", "kind", "external_id"]

    def search(self, queryset, name, value):
        text = value.strip()
        compact = "".join(text.split()).upper()
        return queryset.filter(Q(vehicle__vin__contains=compact) | Q(vehicle__plate__contains=compact)
                               | Q(customer__name__icontains=text))


class ServiceVisitFilterSet(ScopedFilterSet):
    """Filter repair orders by dealer, vehicle, customer, advisor, kind and opening time."""

    dealer = DealerFilter()
    vehicle = django_filters.ModelChoiceFilter(queryset=Vehicle.objects.all())
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all())
    advisor = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    kind = django_filters.ChoiceFilter(choices=choices.VisitKind.choices)
    opened_after = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="gte",
                                                    label=_("Opened at or after (ISO 8601)"))
    opened_before = django_filters.IsoDateTimeFilter(field_name="opened_at", lookup_expr="lt",
                                                     label=_("Opened before (ISO 8601)"))

    class Meta:
        model = ServiceVisit
        fields = ["dealer", "vehicle", "customer", "advisor", "kind", "external_id"]


class RelatedPurchaseFilterSet(ScopedFilterSet):
    """Filter related purchases by kind, expiry, dealer, customer and vehicle."""

    dealer = DealerFilter()
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all())
    vehicle = django_filters.ModelChoiceFilter(queryset=Vehicle.objects.all())
    kind = django_filters.ChoiceFilter(choices=choices.RelatedKind.choices)
    expires_after = django_filters.DateFilter(field_name="expires_on", lookup_expr="gte",
                                              label=_("Expires on or after"))
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte",
                                               label=_("Expires on or before"))

    class Meta:
        model = RelatedPurchase
        fields = ["dealer", "customer", "vehicle", "kind", "external_id"]
