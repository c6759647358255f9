"""Models of the fake app: a note about a customer, and a per-tenant setting created with every tenant."""

from django.db import models

from crm_site.models import DealerOwned, TenantOwned


class FakeNote(DealerOwned):
    """A dealer's note about a customer, the shape of a call or a complaint."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=100)


class FakeTenantSetting(TenantOwned):
    """Something every tenant starts with."""

    name = models.CharField(max_length=100)
