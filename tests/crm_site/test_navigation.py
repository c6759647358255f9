"""Navigation entries by role, and the notification bell."""

from __future__ import annotations

import pytest

from crm_site.models import Notification
from tests.helpers import EVERY_ROLE, browser, htmx

# menu entry → roles that see it
ENTRIES = {
    "/customers/": set(EVERY_ROLE),
    "/customers/leads/mine/": {"sales_consultant"},
    "/customers/leads/": {"dealer_manager", "region_manager", "oem_admin", "oem_analyst"},
    "/vehicles/sales/new/": {"sales_consultant", "dealer_manager", "oem_admin"},
    "/vehicles/visits/new/": {"service_advisor", "dealer_manager", "oem_admin"},
    "/customers/duplicates/": {"oem_admin", "dealer_manager"},
}


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_menu_shows_the_pages_the_role_may_open(world, name):
    content = browser(world, name).get("/").content.decode()
    nav = content[content.index('class="mainnav"'):content.index("</nav>")]
    for url, roles in ENTRIES.items():
        assert (f'href="{url}"' in nav) == (name in roles), (name, url)


def test_menu_labels_are_chinese_by_default(world):
    content = browser(world, "dealer_manager").get("/").content.decode()
    for label in ("客户", "线索", "记录销售", "记录维修保养", "重复客户"):
        assert label in content, label


def test_only_the_most_specific_menu_entry_is_active(world):
    content = browser(world, "sales_consultant").get("/customers/leads/").content.decode()
    assert content.count('aria-current="page"') == 1  # the board's own toggle; the menu's entry is "my leads"
    content = browser(world, "dealer_manager").get("/customers/leads/").content.decode()
    assert content.count('aria-current="page"') == 1  # the menu entry; a manager has no leads of their own
    assert 'href="/customers/leads/" class="active"' in content


def test_bell_counts_my_unread_notifications_only(world):
    me = world.principals["dealer_manager"].user
    other = world.principals["sales_consultant"].user
    tenant = world.tenants["A"]
    Notification.objects.create(tenant=tenant, user=me, kind="lead.uncontacted", text="3 条新线索超时未联系",
                                link="/customers/leads/?overdue=1")
    Notification.objects.create(tenant=tenant, user=other, kind="x", text="别人的通知")
    client = browser(world, "dealer_manager")
    assert "/notifications/badge/" in client.get("/").content.decode()
    assert '<span class="badge"' in htmx(client, "get", "/notifications/badge/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "3 条新线索超时未联系" in page and "别人的通知" not in page
    mine = Notification.objects.get(user=me)
    response = client.post(f"/notifications/{mine.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/customers/leads/?overdue=1"
    assert htmx(client, "get", "/notifications/badge/").content.decode() == ""
    theirs = Notification.objects.get(user=other)
    assert client.post(f"/notifications/{theirs.pk}/open/").status_code == 404


def test_mark_all_read(world):
    me = world.principals["cc_agent"].user
    for n in range(3):
        Notification.objects.create(tenant=world.tenants["A"], user=me, kind="x", text=f"n{n}")
    client = browser(world, "cc_agent")
    assert client.post("/notifications/").status_code == 302
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()


def test_a_notification_never_redirects_off_site(world):
    me = world.principals["cc_agent"].user
    row = Notification.objects.create(tenant=world.tenants["A"], user=me, kind="x", text="t",
                                      link="https://evil.example/")
    response = browser(world, "cc_agent").post(f"/notifications/{row.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_the_bell_adds_no_query_to_pages(world):
    # The unread count loads later through htmx, so no page reads the notifications table itself.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert browser(world, "oem_admin").get("/").status_code == 200
    assert not [q for q in ctx.captured_queries if "crm_site_notification" in q["sql"]]
