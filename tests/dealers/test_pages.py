"""Browser pages of the organisation: role access, scope, form errors, API client tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dealers.choices import Role
from dealers.models import ApiClient, Region, User
from tests.dealers.factories import TEST_PASSWORD

PAGES = ["/org/regions/", "/org/dealers/", "/org/users/", "/org/api-clients/"]
# who may open which page (others get 403)
OPENS = {
    "oem_admin": set(PAGES),
    "oem_analyst": {"/org/regions/", "/org/dealers/"},
    "region_manager": {"/org/dealers/"},
    "dealer_manager": {"/org/users/", "/org/api-clients/"},
    "cc_agent": set(),
    "sales_consultant": set(),
}


def browser(world, name: str) -> Client:
    client = Client()
    client.force_login(world.principals[name].user)
    return client


def test_anonymous_is_sent_to_login(db):
    response = Client().get("/org/regions/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_page_logs_in_and_home_lists_visible_dealers(world):
    client = Client()
    response = client.post("/login/", {"username": "region_manager", "password": TEST_PASSWORD}, follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert world.dealers["A1"].name in content and world.dealers["A2"].name not in content


def test_wrong_password_shows_a_form_error(db):
    response = Client().post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()


@pytest.mark.parametrize("name", sorted(OPENS))
def test_pages_open_by_role(world, name):
    client = browser(world, name)
    for page in PAGES:
        expected = 200 if page in OPENS[name] else 403
        assert client.get(page).status_code == expected, (name, page)


def test_navigation_shows_only_pages_the_role_may_open(world):
    content = browser(world, "dealer_manager").get("/").content.decode()
    assert "/org/users/" in content and "/org/regions/" not in content


def test_other_tenant_and_other_dealer_objects_answer_404(world):
    admin = browser(world, "oem_admin")
    assert admin.get(f"/org/regions/{world.regions['B1'].pk}/").status_code == 404
    assert admin.get(f"/org/dealers/{world.dealers['B1'].pk}/").status_code == 404
    assert admin.get("/org/dealers/99999999999999999999999/").status_code == 404
    manager = browser(world, "dealer_manager")
    other = User.objects.create_user("a2staff", password=TEST_PASSWORD, tenant=world.tenants["A"],
                                     role=Role.SALES_CONSULTANT, dealer=world.dealers["A2"])
    assert manager.get(f"/org/users/{other.pk}/").status_code == 404
    assert manager.post(f"/org/users/{other.pk}/", {"username": "hacked"}).status_code == 404


def test_duplicate_region_code_is_a_form_error_and_keeps_input(world):
    admin = browser(world, "oem_admin")
    response = admin.post("/org/regions/new/", {"code": world.regions["A1"].code, "name": "我输入的名字"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "errorlist" in content and "我输入的名字" in content
    assert Region.objects.filter(tenant=world.tenants["A"]).count() == 2


def test_admin_creates_a_region(world):
    response = browser(world, "oem_admin").post("/org/regions/new/", {"code": "W", "name": "西部大区"})
    assert response.status_code == 302
    assert Region.objects.get(code="W").tenant == world.tenants["A"]


def test_dealer_form_offers_only_own_tenant_regions(world):
    content = browser(world, "oem_admin").get("/org/dealers/new/").content.decode()
    assert world.regions["A1"].name in content and world.regions["B1"].name not in content
    response = browser(world, "oem_admin").post(
        "/org/dealers/new/", {"code": "X1", "name": "x", "region": world.regions["B1"].pk, "is_active": "on"}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_dealer_manager_adds_a_sales_consultant_to_own_dealer(world):
    manager = browser(world, "dealer_manager")
    response = manager.post("/org/users/new/", {
        "username": "xiaoli", "full_name": "小李", "role": Role.SALES_CONSULTANT,
        "dealer": world.dealers["A1"].pk, "password": TEST_PASSWORD, "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="xiaoli")
    assert user.dealer == world.dealers["A1"] and user.check_password(TEST_PASSWORD)


def test_dealer_manager_cannot_pick_another_dealer_or_an_oem_role(world):
    manager = browser(world, "dealer_manager")
    for extra in ({"dealer": world.dealers["A2"].pk, "role": Role.SALES_CONSULTANT},
                  {"dealer": world.dealers["A1"].pk, "role": Role.OEM_ADMIN}):
        response = manager.post("/org/users/new/", {"username": "bad", "password": TEST_PASSWORD} | extra)
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not User.objects.filter(username="bad").exists()


def test_dealer_manager_cannot_edit_an_oem_account(world):
    manager = browser(world, "dealer_manager")
    admin_user = world.principals["oem_admin"].user
    assert manager.get(f"/org/users/{admin_user.pk}/").status_code == 404


def test_api_client_token_is_shown_once_and_revoking_works(world):
    admin = browser(world, "oem_admin")
    response = admin.post("/org/api-clients/new/", {"name": "北京DMS", "dealer": world.dealers["A1"].pk,
                                                    "access": "write"})
    assert response.status_code == 200
    token = re.search(r"crmc_[\w-]+", response.content.decode()).group(0)
    client = ApiClient.objects.get(name="北京DMS")
    assert token not in admin.get("/org/api-clients/").content.decode()
    assert admin.post(f"/org/api-clients/{client.pk}/revoke/").status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None


def test_pages_speak_chinese_by_default_and_english_on_request(world):
    admin = browser(world, "oem_admin")
    assert "经销商" in admin.get("/org/dealers/").content.decode()
    admin.post("/i18n/setlang/", {"language": "en", "next": "/org/dealers/"})
    assert "Dealers" in admin.get("/org/dealers/").content.decode()


def count_page_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["/org/users/", "/org/dealers/", "/org/regions/", "/org/api-clients/"])
def test_list_pages_use_a_constant_number_of_queries(world, page):
    admin = browser(world, "oem_admin")
    admin.get(page)
    few = count_page_queries(admin, page)
    for n in range(40):
        User.objects.create_user(f"bulk{n}", tenant=world.tenants["A"], role=Role.SERVICE_ADVISOR,
                                 dealer=world.dealers["A1"])
        Region.objects.create(tenant=world.tenants["A"], code=f"BULK{n}", name=f"区{n}")
        ApiClient.objects.create(tenant=world.tenants["A"], name=f"c{n}", key_hash=f"{n:064d}", key_prefix="x")
    # session, user, page count, page rows, and the filter form's choices (regions, dealers) where it has them
    # (+2: entering and leaving the row-level-security role)
    assert count_page_queries(admin, page) == few <= 8
