"""Reads of the vehicle pages: the vehicle list with its owner's visibility, and what marks a vehicle's status."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import pgettext_lazy

from crm_site.scope import Scope
from customers.models import Customer

from .models import Vehicle, VehicleModel


class VehicleStatus(models.TextChoices):
    """Where a vehicle is in its life, read from its delivery date, owner and scrapping date."""

    # A context of their own: "Sold" and "Scrapped" elsewhere are a dealer link kind and a date label.
    IN_STOCK = "in_stock", pgettext_lazy("vehicle status", "In stock")
    SOLD = "sold", pgettext_lazy("vehicle status", "Sold")
    SCRAPPED = "scrapped", pgettext_lazy("vehicle status", "Scrapped")


# A car registered at a service visit has an owner but no delivery date on record: it is on the road, not in stock.
STATUS_Q = {
    VehicleStatus.IN_STOCK: Q(scrapped_on__isnull=True, delivered_on__isnull=True, owner__isnull=True),
    VehicleStatus.SOLD: Q(scrapped_on__isnull=True) & (Q(delivered_on__isnull=False) | Q(owner__isnull=False)),
    VehicleStatus.SCRAPPED: Q(scrapped_on__isnull=False),
}

# sort parameter → ordering; vehicles never delivered come last either way.
SORTS = {
    "-delivered": [F("delivered_on").desc(nulls_last=True), F("id").desc()],
    "delivered": [F("delivered_on").asc(nulls_last=True), F("id").asc()],
}
DEFAULT_SORT = "-delivered"


def vehicles_for_list(scope: Scope, *, sort: str = DEFAULT_SORT) -> QuerySet[Vehicle]:
    """The scope's vehicles with model, owner and selling dealer, and whether the owner is visible in the scope."""
    owner_visible = Customer.objects.scoped(scope).filter(pk=OuterRef("owner_id"))
    return (
        Vehicle.objects.scoped(scope)
        .select_related("model", "owner", "selling_dealer")
        .annotate(owner_in_scope=Exists(owner_visible))
        .order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    )


def catalogue_series_and_years(scope: Scope) -> tuple[list[str], list[int]]:
    """The series and model years of the scope's catalogue, for filter choices (one query)."""
    pairs = VehicleModel.objects.scoped(scope).order_by().values_list("series", "year").distinct()
    series, years = set(), set()
    for name, year in pairs:
        series.add(name)
        years.add(year)
    return sorted(series), sorted(years, reverse=True)
