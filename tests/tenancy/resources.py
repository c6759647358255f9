"""How the tenancy suite makes an object of each API resource for a dealer, and a valid payload to create one.

Every resource registered in the API router must appear here: `test_every_endpoint_is_covered` fails otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from dealers.choices import Role
from dealers.models import Dealer
from tests.customers.factories import CustomerFactory, LeadFactory, make_mobile
from tests.dealers.factories import ApiClientFactory, RegionFactory, UserFactory
from tests.vehicles.factories import (
    RelatedPurchaseFactory,
    SaleFactory,
    ServiceVisitFactory,
    VehicleFactory,
    VehicleModelFactory,
    make_vin,
)

from ..conftest import Principal, World

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


@dataclass
class ResourceSpec:
    """make(world, dealer_key) → an object belonging to that dealer; payload(world, principal) → valid create body."""

    make: Callable[[World, str], object]
    payload: Callable[[World, Principal], dict]
    # field name → model of the related objects a write may name
    related: dict[str, str] = field(default_factory=dict)
    # who sees an object of a dealer; default: principals that see the dealer
    visible: Callable[[Principal, str], bool] = lambda principal, key: key in principal.sees
    # the HTTP methods that change the resource (a read-only resource has none)
    methods: frozenset[str] = frozenset({"post", "put", "patch", "delete"})
    # who creates one in the test that tenant and dealer come from the scope
    creator: str = "oem_admin"
    # whether a principal that sees none of these rows gets an empty condition (no page query at all)
    empty_when_unseen: bool = True


def _make_region(world: World, key: str):
    return world.regions[key]


def _make_dealer(world: World, key: str):
    return world.dealers[key]


def _make_user(world: World, key: str):
    dealer = world.dealers[key]
    return UserFactory(dealer=dealer, tenant=dealer.tenant, role=Role.SALES_CONSULTANT)


def _make_api_client(world: World, key: str):
    dealer = world.dealers[key]
    return ApiClientFactory(dealer=dealer, tenant=dealer.tenant)


def _api_client_visible(principal: Principal, key: str) -> bool:
    if principal.role == Role.OEM_ADMIN:
        return key in principal.sees
    if principal.role == Role.DEALER_MANAGER:
        return key in principal.sees
    return False


def _dealer_body(world: World) -> dict:
    """Every writer sees dealer A1; tenant-wide writers must name it, others may."""
    return {"dealer": world.dealers["A1"].pk}


def _customer_of_a1(world: World) -> int:
    return CustomerFactory(dealer=world.dealers["A1"]).pk


def _vehicle_model_visible(principal: Principal, key: str) -> bool:
    return key.startswith("A")  # the catalogue is the whole tenant's


def _staff(world: World, name: str) -> int:
    """The id of the world's staff user with this role at dealer A1."""
    return world.principals[name].user.pk


RESOURCES: dict[str, ResourceSpec] = {
    "regions": ResourceSpec(
        make=_make_region,
        payload=lambda world, principal: {"code": f"NEW{_n()}", "name": "新大区"},
    ),
    "dealers": ResourceSpec(
        make=_make_dealer,
        payload=lambda world, principal: {"region": world.regions["A1"].pk, "code": f"ND{_n()}", "name": "新4S店"},
        related={"region": "region"},
    ),
    "users": ResourceSpec(
        make=_make_user,
        payload=lambda world, principal: {
            "username": f"new{_n()}", "password": "Correct-Horse-9", "role": Role.SERVICE_ADVISOR,
            "dealer": world.dealers["A1"].pk, "full_name": "新员工",
        },
        related={"dealer": "dealer"},
    ),
    "api-clients": ResourceSpec(
        make=_make_api_client,
        payload=lambda world, principal: {"name": f"DMS-{_n()}", "dealer": world.dealers["A1"].pk, "access": "read"},
        related={"dealer": "dealer"},
        visible=_api_client_visible,
    ),
    "customers": ResourceSpec(
        make=lambda world, key: CustomerFactory(dealer=world.dealers[key]),
        payload=lambda world, principal: _dealer_body(world) | {"name": "新客户", "mobile": make_mobile(500_000 + _n())},
        related={"dealer": "dealer", "key_account_owner": "user"},
    ),
    "leads": ResourceSpec(
        make=lambda world, key: LeadFactory(dealer=world.dealers[key]),
        payload=lambda world, principal: _dealer_body(world) | {
            "source": "walk_in", "customer_data": {"name": "潜客", "mobile": make_mobile(600_000 + _n())},
        },
        related={"dealer": "dealer", "customer": "customer", "referred_by": "customer", "assigned_to": "user",
                 "interested_model": "vehicle-model"},
    ),
    "vehicle-models": ResourceSpec(
        make=lambda world, key: VehicleModelFactory(tenant=world.dealers[key].tenant),
        payload=lambda world, principal: {"code": f"VM{_n()}", "series": "凯美瑞", "name": "2.0L 豪华版", "year": 2026,
                                          "fuel_type": "hybrid", "price_band": "mid"},
        visible=_vehicle_model_visible,
    ),
    "vehicles": ResourceSpec(
        make=lambda world, key: VehicleFactory(dealer=world.dealers[key]),
        payload=lambda world, principal: _dealer_body(world) | {
            "vin": make_vin(700_000 + _n()), "plate": "沪B12345", "owner": _customer_of_a1(world),
            "model": VehicleModelFactory(tenant=world.tenants["A"]).pk,
        },
        related={"dealer": "dealer", "owner": "customer", "model": "vehicle-model"},
    ),
    "sales": ResourceSpec(
        make=lambda world, key: SaleFactory(dealer=world.dealers[key]),
        payload=lambda world, principal: _dealer_body(world) | {
            "customer": _customer_of_a1(world), "vehicle_data": {"vin": make_vin(800_000 + _n())},
            "delivered_on": "2025-06-01", "price": "158000.00", "consultant": _staff(world, "sales_consultant"),
        },
        related={"dealer": "dealer", "customer": "customer", "vehicle": "vehicle", "consultant": "user",
                 "lead": "lead"},
    ),
    "service-visits": ResourceSpec(
        make=lambda world, key: ServiceVisitFactory(dealer=world.dealers[key]),
        payload=lambda world, principal: _dealer_body(world) | {
            "vin": make_vin(900_000 + _n()), "kind": "maintenance", "opened_at": "2025-06-01T09:30:00+08:00",
            "mileage_km": 5000, "amount": "380.00", "advisor": _staff(world, "service_advisor"), "owner_unknown": True,
        },
        related={"dealer": "dealer", "vehicle": "vehicle", "advisor": "user"},
    ),
    "related-purchases": ResourceSpec(
        make=lambda world, key: RelatedPurchaseFactory(dealer=world.dealers[key]),
        payload=lambda world, principal: _dealer_body(world) | {
            "customer": _customer_of_a1(world), "kind": "insurance", "purchased_on": "2025-06-01",
            "expires_on": "2026-05-31", "amount": "4800.00", "provider": "平安保险",
        },
        related={"dealer": "dealer", "customer": "customer", "vehicle": "vehicle"},
    ),
}


def _make_follow_up(world: World, key: str):
    """A call-center task about one of the dealer's customers."""
    from callcenter.models import FollowUpRule, FollowUpTask
    from callcenter.rules import rules_create_defaults

    dealer = world.dealers[key]
    rules_create_defaults(dealer.tenant)
    rule = FollowUpRule.objects.get(tenant=dealer.tenant, code="delivery")
    customer = CustomerFactory(dealer=dealer)
    return FollowUpTask.objects.create(
        tenant=dealer.tenant, dealer=dealer, rule=rule, queue=rule.queue, worked_by=rule.worked_by,
        customer=customer, subject_id=customer.pk, occurrence="2026-03-02", trigger_on="2026-02-27",
        due_on="2026-03-02", expires_on="2026-03-09", priority=rule.priority)


def _follow_up_visible(principal: Principal, key: str) -> bool:
    """A store's staff see only the tasks their store works; this one is the call center's."""
    return key in principal.sees and principal.role not in {Role.DEALER_MANAGER, Role.SALES_CONSULTANT,
                                                            Role.SERVICE_ADVISOR}


def _make_call(world: World, key: str):
    from callcenter.models import Call

    dealer = world.dealers[key]
    return Call.objects.create(tenant=dealer.tenant, dealer=dealer, direction="outbound",
                               customer=CustomerFactory(dealer=dealer), started_at="2026-03-02T10:00:00+08:00")


def _rule_visible(principal: Principal, key: str) -> bool:
    """Tenant-wide HQ data: RULE_VIEW holders (HQ readers, every API client) see tenant A's rules, others none."""
    from callcenter.access import RULE_VIEW

    return key.startswith("A") and RULE_VIEW.allows(principal.scope)


def _make_rule(world: World, key: str):
    from tests.callcenter.factories import FollowUpRuleFactory

    return FollowUpRuleFactory(tenant=world.dealers[key].tenant)


RESOURCES["follow-up-rules"] = ResourceSpec(
    make=_make_rule,
    payload=lambda world, principal: {"code": f"rule-new-{_n()}", "name": "新规则", "trigger": "sale_delivered",
                                      "offset_days": 3, "queue": "ssi", "purpose": "service"},
    visible=_rule_visible,
)
def _make_complaint(world: World, key: str):
    from tests.callcenter.complaints.factories import open_complaint

    return open_complaint(world.dealers[key])


RESOURCES["complaints"] = ResourceSpec(
    make=_make_complaint,
    payload=lambda world, principal: _dealer_body(world) | {"customer": _customer_of_a1(world), "channel": "hotline",
                                                            "severity": "high", "description": "维修后仍有异响"},
    related={"dealer": "dealer", "customer": "customer", "vehicle": "vehicle"},
)
def _make_customer_value(world: World, key: str):
    from retention.models import CustomerValue

    dealer = world.dealers[key]
    return CustomerValue.objects.create(
        tenant=dealer.tenant, customer=CustomerFactory(dealer=dealer), as_of="2026-11-30", recency_days=10,
        visits=3, spend="1200.00", r=5, f=4, m=3, vehicles_bought=1, rebuy=False, related=1, referrals=0,
        referrals_won=0, tier="core")


RESOURCES["retention/customer-value"] = ResourceSpec(make=_make_customer_value, payload=None, methods=frozenset())


def _finished_run(tenant, kind: str):
    """The tenant's one finished run of the kind (every object of a tenant goes in it, so the newest run holds all)."""
    from django.utils import timezone

    from retention.models import AnalysisRun

    run = AnalysisRun.objects.filter(tenant=tenant, kind=kind, status="done").first()
    return run or AnalysisRun.objects.create(tenant=tenant, kind=kind, as_of="2026-11-30", status="done",
                                             finished_at=timezone.now())


def _make_cluster(world: World, key: str):
    from retention.models import Cluster

    tenant = world.dealers[key].tenant
    run = _finished_run(tenant, "segments")
    return Cluster.objects.create(tenant=tenant, run=run, number=_n(), size=10, share=0.5, r=3, f=3, m=3, visits=1,
                                  spend=500, traits=[{"attribute": "gender", "value": "male", "share": 0.9,
                                                      "overall": 0.6}])


def _make_association_rule(world: World, key: str):
    from retention.models import AssociationRule

    tenant = world.dealers[key].tenant
    return AssociationRule.objects.create(tenant=tenant, run=_finished_run(tenant, "rules"),
                                          antecedent=["income_band:high"], consequent="凯美瑞", support=0.1,
                                          confidence=0.6, lift=1.8, customers=10, antecedent_customers=16)


def _segment_visible(principal: Principal, key: str) -> bool:
    """Tenant-wide aggregates: SEGMENT_VIEW holders of tenant A, except API clients bound to one dealer."""
    from retention.access import SEGMENT_VIEW

    scope = principal.scope
    return key.startswith("A") and SEGMENT_VIEW.allows(scope) and (not scope.is_api_client or scope.is_tenant_wide)


RESOURCES["retention/segments"] = ResourceSpec(make=_make_cluster, payload=None, methods=frozenset(),
                                               visible=_segment_visible)
RESOURCES["retention/association-rules"] = ResourceSpec(make=_make_association_rule, payload=None,
                                                        methods=frozenset(), visible=_segment_visible)
RESOURCES["follow-ups"] = ResourceSpec(make=_make_follow_up, payload=None, visible=_follow_up_visible,
                                       methods=frozenset(), empty_when_unseen=False)
RESOURCES["calls"] = ResourceSpec(
    make=_make_call,
    payload=lambda world, principal: _dealer_body(world) | {
        "direction": "outbound", "kind": "visit", "category": "other", "customer": _customer_of_a1(world),
        "notes": "到店拜访",
    },
    related={"dealer": "dealer", "customer": "customer", "vehicle": "vehicle"},
    methods=frozenset({"post"}),
    creator="cc_agent",
)


def _make_campaign(world: World, key: str):
    from retention.campaigns.models import Campaign

    dealer = world.dealers[key]
    return Campaign.objects.create(tenant=dealer.tenant, dealer=dealer, name="召回", criteria={"states": ["lapsed"]},
                                   script="您好")


def _campaign_visible(principal: Principal, key: str) -> bool:
    """Campaigns of the dealers in scope, for the roles that see campaigns (API clients see none)."""
    from retention.access import CAMPAIGN_CREATE, CAMPAIGN_VIEW

    scope = principal.scope
    return key in principal.sees and (CAMPAIGN_VIEW.allows(scope) or CAMPAIGN_CREATE.allows(scope))


RESOURCES["retention/campaigns"] = ResourceSpec(
    make=_make_campaign,
    payload=lambda world, principal: _dealer_body(world) | {"name": "新召回", "states": ["lapsed"], "script": "您好"},
    related={"dealer": "dealer", "region": "region"},
    visible=_campaign_visible,
    methods=frozenset({"post"}),
)


from tests.surveys.tenancy_specs import survey_resources  # noqa: E402  (the surveys app's resources)

RESOURCES.update(survey_resources(ResourceSpec))


def out_of_scope_ids(world: World, principal: Principal, model: str) -> list[int]:
    """Ids of related objects the principal must not be able to name: other tenants' and unseen dealers'."""
    keys = world.dealer_keys_outside(principal)
    if model == "dealer":
        return [world.dealers[k].pk for k in keys]
    if model == "region":
        return [world.regions[k].pk for k in keys]
    dealers = [world.dealers[k] for k in keys]
    if model == "user":
        return [UserFactory(dealer=d, tenant=d.tenant, role=Role.SALES_CONSULTANT).pk for d in dealers]
    if model == "customer":
        return [CustomerFactory(dealer=d).pk for d in dealers]
    if model == "vehicle":
        return [VehicleFactory(dealer=d).pk for d in dealers]
    if model == "lead":
        return [LeadFactory(dealer=d).pk for d in dealers]
    if model == "vehicle-model":
        return [VehicleModelFactory(tenant=world.tenants["B"]).pk]
    raise AssertionError(f"unknown related model {model}")


def dealer_of(world: World, key: str) -> Dealer:
    return world.dealers[key]


__all__ = ["RESOURCES", "ResourceSpec", "RegionFactory", "out_of_scope_ids"]
