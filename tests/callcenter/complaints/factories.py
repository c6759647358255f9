"""Complaints for tests: opened through the real service, so numbers, due times and the first event are real."""

from __future__ import annotations

import datetime as dt

from callcenter.complaints.services import complaint_open
from crm_site.scope import Scope
from tests.customers.factories import CustomerFactory


def open_complaint(dealer, *, customer=None, severity: str = "normal", at: dt.datetime | None = None,
                   channel: str = "hotline", description: str = "车辆异响，维修后仍未解决", **kwargs):
    """A complaint against `dealer`, opened by the tenant's system scope (the service the hotline calls)."""
    scope = Scope.system(dealer.tenant_id)
    customer = customer or CustomerFactory(dealer=dealer)
    return complaint_open(scope=scope, channel=channel, customer=customer, dealer=dealer, severity=severity,
                          description=description, at=at, **kwargs)
