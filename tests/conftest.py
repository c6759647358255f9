"""Shared fixtures: a world of two tenants × two dealers × every role and API-client kind."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from crm_site.scope import Scope
from dealers.choices import ApiScope, Role
from dealers.models import ApiClient, Dealer, Region, Tenant, User
from dealers.principals import scope_for_api_client, scope_for_user
from dealers.services import api_client_create, user_token_issue

from .dealers.factories import DealerFactory, RegionFactory, TenantFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in Redis; each test starts with none."""
    cache.clear()
    yield


@dataclass
class Principal:
    """Someone calling the API: a staff user or an API client, with the dealers (by key) it should see."""

    name: str
    role: str
    sees: frozenset[str]
    user: User | None = None
    client: ApiClient | None = None
    token: str = ""

    @property
    def scope(self) -> Scope:
        return scope_for_api_client(self.client) if self.client else scope_for_user(self.user)

    def api(self) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {self.token}")
        return api


@dataclass
class World:
    """Tenants A and B; each has regions R1/R2 with dealers D1/D2 (keys A1, A2, B1, B2)."""

    tenants: dict[str, Tenant] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    dealers: dict[str, Dealer] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)

    def dealer_keys_outside(self, principal: Principal) -> list[str]:
        return [key for key in self.dealers if key not in principal.sees]


# name → (role, dealers seen, how it is bound); tenant A unless said otherwise.
PRINCIPALS = {
    "oem_admin": (Role.OEM_ADMIN, {"A1", "A2"}, None),
    "oem_analyst": (Role.OEM_ANALYST, {"A1", "A2"}, None),
    "region_manager": (Role.REGION_MANAGER, {"A1"}, "region"),
    "cc_supervisor": (Role.CC_SUPERVISOR, {"A1", "A2"}, None),
    "cc_agent": (Role.CC_AGENT, {"A1", "A2"}, None),
    "dealer_manager": (Role.DEALER_MANAGER, {"A1"}, "dealer"),
    "sales_consultant": (Role.SALES_CONSULTANT, {"A1"}, "dealer"),
    "service_advisor": (Role.SERVICE_ADVISOR, {"A1"}, "dealer"),
    "client_dealer_write": ("api_client", {"A1"}, ("dealer", ApiScope.WRITE)),
    "client_dealer_read": ("api_client", {"A1"}, ("dealer", ApiScope.READ)),
    "client_tenant_write": ("api_client", {"A1", "A2"}, (None, ApiScope.WRITE)),
}


def build_world() -> World:
    """Create the two-tenant world with one principal per role and API-client kind in tenant A."""
    world = World()
    for t in "AB":
        tenant = TenantFactory(slug=f"tenant-{t.lower()}", name=f"租户{t}")
        world.tenants[t] = tenant
        for n in "12":
            region = RegionFactory(tenant=tenant, code=f"{t}R{n}", name=f"{t}大区{n}")
            world.regions[f"{t}{n}"] = region
            world.dealers[f"{t}{n}"] = DealerFactory(region=region, tenant=tenant, code=f"{t}D{n}")
    tenant_a = world.tenants["A"]
    for name, (role, sees, bound) in PRINCIPALS.items():
        principal = Principal(name=name, role=role, sees=frozenset(sees))
        if role == "api_client":
            dealer_bound, access = bound
            scope = Scope(tenant_id=tenant_a.pk, role=Role.OEM_ADMIN)
            client, token = api_client_create(
                scope=scope, name=name, access=access, dealer=world.dealers["A1"] if dealer_bound else None
            )
            principal.client, principal.token = client, token
        else:
            user = UserFactory(
                username=name, role=role, tenant=tenant_a,
                dealer=world.dealers["A1"] if bound == "dealer" else None,
                region=world.regions["A1"] if bound == "region" else None,
            )
            principal.user = user
            principal.token, _row = user_token_issue(user=user)
        world.principals[name] = principal
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def admin_api(world) -> APIClient:
    return world.principals["oem_admin"].api()


@pytest.fixture
def api(world):
    """A client for a principal of the shared world: api("service_advisor")."""
    return lambda name: world.principals[name].api()


@pytest.fixture
def a1(world):
    return world.dealers["A1"]


@pytest.fixture
def a2(world):
    return world.dealers["A2"]


@pytest.fixture
def car_model(world):
    """A model of tenant A's catalogue."""
    from tests.vehicles.factories import VehicleModelFactory

    return VehicleModelFactory(tenant=world.tenants["A"], series="凯美瑞", name="2.0G 豪华版")
