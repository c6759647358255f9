"""Hand-built fleets for the retention tests: vehicles sold on a date, visits on local dates."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from crm_site.scope import Scope
from retention.snapshot import snapshot_build
from tests.vehicles.factories import ServiceVisitFactory, VehicleFactory

T = dt.date(2026, 6, 30)


def sold(dealer, delivered_on: dt.date, **kwargs):
    """A vehicle sold and delivered by `dealer`."""
    return VehicleFactory(dealer=dealer, delivered_on=delivered_on, **kwargs)


def visit(vehicle, dealer, on: dt.date, hour: int = 10, **kwargs):
    """A service visit opened at `hour` local time on `on`."""
    opened = timezone.make_aware(dt.datetime.combine(on, dt.time(hour)))
    return ServiceVisitFactory(vehicle=vehicle, dealer=dealer, opened_at=opened, **kwargs)


def build(dealer_or_tenant, as_of: dt.date = T):
    """Build the tenant's snapshot for `as_of` with the system scope."""
    tenant_id = getattr(dealer_or_tenant, "tenant_id", None) or dealer_or_tenant.pk
    return snapshot_build(scope=Scope.system(tenant_id), as_of=as_of)
