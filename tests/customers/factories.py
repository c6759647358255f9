"""factory_boy factories of customers and leads; each customer is linked to its dealer, so that dealer sees it."""

from __future__ import annotations

import factory
from django.utils import timezone

from customers import choices as customer_choices
from customers.models import Customer, CustomerDealer, Lead
from tests.dealers.factories import DealerFactory, TenantFactory


def make_mobile(n: int) -> str:
    """A valid mainland mobile number in E.164, different for each n."""
    return f"+86139{n:08d}"


class CustomerDealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerDealer

    customer = None
    dealer = None
    tenant = factory.SelfAttribute("customer.tenant")
    kind = customer_choices.LinkKind.ASSIGNED


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer of the dealer's tenant, linked to `dealer` (pass dealer=None for an unlinked one)."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    class Params:
        dealer = factory.SubFactory(DealerFactory)

    tenant = factory.LazyAttribute(lambda o: o.dealer.tenant if o.dealer else TenantFactory())
    name = factory.Sequence(lambda n: f"客户{n}")
    mobile = factory.Sequence(make_mobile)
    link = factory.Maybe(
        "dealer",
        yes_declaration=factory.RelatedFactory(CustomerDealerFactory, "customer", dealer=factory.SelfAttribute("..dealer")),
        no_declaration=None,
    )


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    dealer = factory.SubFactory(DealerFactory)
    tenant = factory.SelfAttribute("dealer.tenant")
    customer = factory.SubFactory(CustomerFactory, dealer=factory.SelfAttribute("..dealer"))
    source = customer_choices.LeadSource.WALK_IN
    stage = customer_choices.LeadStage.NEW
    stage_changed_at = factory.LazyFunction(timezone.now)
