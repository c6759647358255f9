"""How the tenancy suite makes an object of each API resource for a dealer, and a valid payload to create one.

Every resource registered in the API router must appear here: `test_every_endpoint_is_covered` fails otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from dealers.choices import Role
from dealers.models import Dealer

from ..conftest import Principal, World
from ..factories import ApiClientFactory, RegionFactory, UserFactory

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
}


def out_of_scope_ids(world: World, principal: Principal, model: str) -> list[int]:
    """Ids of related objects the principal must not be able to name: other tenants' and unseen dealers'."""
    keys = world.dealer_keys_outside(principal)
    if model == "dealer":
        return [world.dealers[k].pk for k in keys]
    if model == "region":
        return [world.regions[k].pk for k in keys]
    raise AssertionError(f"unknown related model {model}")


def dealer_of(world: World, key: str) -> Dealer:
    return world.dealers[key]


__all__ = ["RESOURCES", "ResourceSpec", "RegionFactory", "out_of_scope_ids"]
