"""The organisation through the ORM (a few hundred rows): tenant, regions, dealers over real cities, staff."""

from __future__ import annotations

import random
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from dealers.choices import Role
from dealers.models import Dealer, Region, Tenant, User
from dealers.services import tenant_create

from .codes import DatasetError
from .context import DealerInfo
from .reference import CITIES, CITY_BY_NAME, DEALER_TRADE_NAMES, GIVEN_FEMALE, GIVEN_MALE, REGIONS, SURNAMES
from .rows import Weighted

CITY_CHOICE = Weighted([(city, city.weight) for city in CITIES])
# Staff per dealer: one manager, 2–4 sales consultants, 2–4 service advisors.
STAFF = ((Role.DEALER_MANAGER, "mgr", 1, 1), (Role.SALES_CONSULTANT, "sales", 2, 4),
         (Role.SERVICE_ADVISOR, "svc", 2, 4))


def ensure_tenant(slug: str, password: str) -> Tenant:
    """The tenant with this slug, created with its first administrator and defaults if missing."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is not None:
        return tenant
    name = slug.replace("-", " ").replace("_", " ").title() + " Motors"
    try:
        return tenant_create(name=name, slug=slug, admin_username=f"{slug}-admin", admin_password=password)
    except ValidationError as error:
        raise DatasetError(f"Cannot create tenant {slug!r}: {'; '.join(error.messages)}") from None


def staff_name(rng: random.Random) -> str:
    """A plausible Chinese name (staff need no gender)."""
    given = GIVEN_MALE if rng.random() < 0.5 else GIVEN_FEMALE
    return SURNAMES[int(rng.random() * 40)] + "".join(given[int(rng.random() * len(given))] for _ in range(2))


def dealer_specs(seed: int):
    """An endless, deterministic sequence of (code, name, city) of new dealers, big cities more often."""
    rng = random.Random(f"{seed}:dealers")
    per_city: Counter[str] = Counter()
    names: set[str] = set()
    while True:
        city = CITY_CHOICE(rng)
        per_city[city.code] += 1
        district = city.districts[int(rng.random() * len(city.districts))] if city.districts else ""
        name = ""
        while not name or name in names:
            name = f"{city.name}{district}{DEALER_TRADE_NAMES[int(rng.random() * len(DEALER_TRADE_NAMES))]}汽车4S店"
        names.add(name)
        yield f"{city.code}{per_city[city.code]:03d}", name, city


def ensure_dealers(tenant: Tenant, total: int, seed: int) -> int:
    """Create dealers until the tenant has `total`; codes that exist already are skipped. Returns how many."""
    existing = set(Dealer.objects.filter(tenant=tenant).values_list("code", flat=True))
    regions = {region.code: region for region in Region.objects.filter(tenant=tenant)}
    new = []
    specs = dealer_specs(seed)
    while len(existing) + len(new) < total:
        code, name, city = next(specs)
        if code in existing:
            continue
        if city.region not in regions:
            regions[city.region] = Region.objects.create(tenant=tenant, code=city.region, name=REGIONS[city.region])
        new.append(Dealer(tenant=tenant, region=regions[city.region], code=code, name=name, city=city.name))
    Dealer.objects.bulk_create(new)
    return len(new)


def ensure_staff(tenant: Tenant, seed: int, password: str) -> int:
    """Give every dealer of the tenant its manager, consultants and advisors; returns how many users were made."""
    hashed = make_password(password)  # hashing is slow on purpose: once for all users
    have = Counter((dealer_id, role) for dealer_id, role in User.objects.filter(
        tenant=tenant, dealer__isnull=False).values_list("dealer_id", "role"))
    taken = set(User.objects.filter(username__startswith=f"{tenant.slug}-").values_list("username", flat=True))
    new = []
    for dealer in Dealer.objects.filter(tenant=tenant).order_by("code"):
        rng = random.Random(f"{seed}:staff:{dealer.code}")
        for role, short, low, high in STAFF:
            wanted = low + int(rng.random() * (high - low + 1))
            number = 0
            for _ in range(wanted - have[dealer.id, role]):
                username = ""
                while not username or username in taken:
                    number += 1
                    username = f"{tenant.slug}-{dealer.code.lower()}-{short}{number}"
                taken.add(username)
                new.append(User(username=username, password=hashed, full_name=staff_name(rng), role=role,
                                tenant=tenant, dealer=dealer))
    User.objects.bulk_create(new)
    return len(new)


def dealer_infos(tenant: Tenant) -> list[DealerInfo]:
    """Every active dealer with its staff ids (ordered by username, so choices do not depend on ids)."""
    staff: dict[tuple[int, str], list[int]] = {}
    for user_id, dealer_id, role in User.objects.filter(
        tenant=tenant, dealer__isnull=False, is_active=True
    ).order_by("username").values_list("id", "dealer_id", "role"):
        staff.setdefault((dealer_id, role), []).append(user_id)
    infos = []
    for dealer in Dealer.objects.filter(tenant=tenant, is_active=True).select_related("region").order_by("code"):
        # A dealer outside the reference cities (typed in by hand) borrows the first city of its region.
        city = (CITY_BY_NAME.get(dealer.city)
                or next((c for c in CITIES if dealer.city and c.name in dealer.city), None)
                or next((c for c in CITIES if c.region == dealer.region.code), CITIES[0]))
        consultants = staff.get((dealer.id, Role.SALES_CONSULTANT), [])
        advisors = staff.get((dealer.id, Role.SERVICE_ADVISOR), [])
        managers = staff.get((dealer.id, Role.DEALER_MANAGER), [])
        if not consultants or not advisors:
            raise DatasetError(f"Dealer {dealer.code} has no active sales consultant or service advisor.")
        infos.append(DealerInfo(dealer.id, dealer.code, dealer.region_id, city, managers[0] if managers else None,
                                consultants, advisors))
    by_region: dict[int, list[DealerInfo]] = {}
    for info in infos:
        by_region.setdefault(info.region_id, []).append(info)
    for info in infos:
        info.peers = [peer for peer in by_region[info.region_id] if peer is not info]
    return infos
