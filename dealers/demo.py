"""The demo network: 演示汽车 / Demo Motors with 3 regions, 12 dealers and one user per role.

The domain data (customers, vehicles, leads, ...) is not made here: `dealers` imports no other app. Each app
registers a `crm_site.plugins.DemoData` and `demo_fill` runs them, in the apps' order, over the new tenant.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from crm_site.registry import registry

from .choices import Role
from .models import Dealer, Region, Tenant, User
from .services import tenant_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-pass-2026"

REGIONS = [
    ("N", "华北大区", [("BJ01", "北京东方丰田4S店", "北京"), ("BJ02", "北京京北汽车4S店", "北京"),
                       ("TJ01", "天津滨海汽车4S店", "天津"), ("SJZ1", "石家庄华瑞汽车4S店", "石家庄")]),
    ("E", "华东大区", [("SH01", "上海浦东汽车4S店", "上海"), ("SH02", "上海虹桥汽车4S店", "上海"),
                       ("HZ01", "杭州西湖汽车4S店", "杭州"), ("NJ01", "南京金陵汽车4S店", "南京")]),
    ("S", "华南大区", [("GZ01", "广州天河汽车4S店", "广州"), ("SZ01", "深圳南山汽车4S店", "深圳"),
                       ("FS01", "佛山禅城汽车4S店", "佛山"), ("XM01", "厦门鹭岛汽车4S店", "厦门")]),
]

# (username, full name, role, region code, dealer code)
USERS = [
    ("admin", "王总部", Role.OEM_ADMIN, None, None),
    ("analyst", "李分析", Role.OEM_ANALYST, None, None),
    ("region", "赵大区", Role.REGION_MANAGER, "N", None),
    ("supervisor", "孙主管", Role.CC_SUPERVISOR, None, None),
    ("agent", "周坐席", Role.CC_AGENT, None, None),
    ("manager", "吴店长", Role.DEALER_MANAGER, None, "BJ01"),
    ("sales", "郑销售", Role.SALES_CONSULTANT, None, "BJ01"),
    ("advisor", "陈服务", Role.SERVICE_ADVISOR, None, "BJ01"),
]


@transaction.atomic
def demo_seed() -> bool:
    """Create the demo network unless it exists; True when it was created now."""
    if Tenant.objects.filter(slug=DEMO_SLUG).exists():
        return False
    tenant = tenant_create(name="演示汽车 Demo Motors", slug=DEMO_SLUG, admin_username="admin", admin_password=DEMO_PASSWORD)
    User.objects.filter(username="admin").update(full_name="王总部")
    regions, dealers = {}, {}
    for code, name, dealer_rows in REGIONS:
        region = Region.objects.create(tenant=tenant, code=code, name=name)
        regions[code] = region
        for dealer_code, dealer_name, city in dealer_rows:
            dealers[dealer_code] = Dealer.objects.create(
                tenant=tenant, region=region, code=dealer_code, name=dealer_name, city=city
            )
    for username, full_name, role, region_code, dealer_code in USERS:
        if username == "admin":
            continue
        user = User(username=username, full_name=full_name, role=role, tenant=tenant,
                    region=regions.get(region_code), dealer=dealers.get(dealer_code))
        user.set_password(DEMO_PASSWORD)
        user.save()
    return True


def demo_fill(tenant: Tenant, log: Callable[[str], None] = print) -> None:
    """Run every registered DemoData over the demo tenant, in registration order."""
    for entry in registry["demo_data"]:
        log(f"demo data: {entry.name}")
        entry.fill(tenant, log)


def demo_tenant() -> Tenant:
    """The demo tenant (it must exist)."""
    return Tenant.objects.get(slug=DEMO_SLUG)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, role label) of every demo user."""
    return [(username, DEMO_PASSWORD, str(role.label)) for username, _name, role, _r, _d in USERS]
