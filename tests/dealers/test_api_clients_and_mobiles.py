"""Organisation pages: revoking or rotating an API client asks first; staff have a mobile, stored normalised."""

from __future__ import annotations

import re

from dealers.choices import Role
from dealers.models import ApiClient, User
from dealers.services import api_client_create
from tests.dealers.factories import TEST_PASSWORD
from tests.helpers import browser


def make_client(world) -> tuple[ApiClient, str]:
    return api_client_create(scope=world.principals["oem_admin"].scope, name="北京DMS",
                             dealer=world.dealers["A1"], access="write")


def test_revoking_an_api_client_asks_for_confirmation_first(world):
    client, _token = make_client(world)
    admin = browser(world, "oem_admin")
    listing = admin.get("/org/api-clients/").content.decode()
    assert f'href="/org/api-clients/{client.pk}/revoke/"' in listing  # a link to the confirmation, not a POST
    page = admin.get(f"/org/api-clients/{client.pk}/revoke/")
    assert page.status_code == 200 and "北京DMS" in page.content.decode()
    assert f'action="/org/api-clients/{client.pk}/revoke/"' in page.content.decode()
    client.refresh_from_db()
    assert client.revoked_at is None  # opening the confirmation changes nothing
    assert admin.post(f"/org/api-clients/{client.pk}/revoke/").status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None


def test_rotating_an_api_client_shows_the_new_token_once_and_the_old_one_stops(world):
    client, old = make_client(world)
    admin = browser(world, "oem_admin")
    assert admin.get(f"/org/api-clients/{client.pk}/rotate/").status_code == 200
    assert ApiClient.objects.get(pk=client.pk).key_hash == client.key_hash  # the confirmation changes nothing
    response = admin.post(f"/org/api-clients/{client.pk}/rotate/")
    assert response.status_code == 200
    new = re.search(r"crmc_[\w-]+", response.content.decode()).group(0)
    assert new != old
    assert new not in admin.get("/org/api-clients/").content.decode()
    assert world.principals["oem_admin"].api().get("/api/v1/dealers/").status_code == 200
    from rest_framework.test import APIClient

    for token, status in ((old, 401), (new, 200)):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert api.get("/api/v1/customers/").status_code == status


def test_a_revoked_client_cannot_be_rotated_and_other_dealers_clients_are_not_found(world):
    client, _token = make_client(world)
    admin = browser(world, "oem_admin")
    admin.post(f"/org/api-clients/{client.pk}/revoke/")
    assert admin.post(f"/org/api-clients/{client.pk}/rotate/").status_code == 404
    other, _t = api_client_create(scope=world.principals["oem_admin"].scope, name="上海DMS",
                                  dealer=world.dealers["A2"], access="read")
    manager = browser(world, "dealer_manager")
    assert manager.get(f"/org/api-clients/{other.pk}/rotate/").status_code == 404


def test_a_staff_mobile_is_stored_normalised_from_the_user_form(world):
    manager = browser(world, "dealer_manager")
    response = manager.post("/org/users/new/", {
        "username": "xiaoli", "full_name": "小李", "role": Role.SALES_CONSULTANT, "mobile": "138 0013 8000",
        "dealer": world.dealers["A1"].pk, "password": TEST_PASSWORD, "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="xiaoli")
    assert user.mobile == "+8613800138000"
    form = manager.get(f"/org/users/{user.pk}/").content.decode()
    assert 'value="13800138000"' in form


def test_a_bad_staff_mobile_is_a_form_error(world):
    manager = browser(world, "dealer_manager")
    response = manager.post("/org/users/new/", {
        "username": "xiaoli", "role": Role.SALES_CONSULTANT, "mobile": "12345",
        "dealer": world.dealers["A1"].pk, "password": TEST_PASSWORD, "is_active": "on",
    })
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not User.objects.filter(username="xiaoli").exists()


def test_the_users_api_takes_and_normalises_a_mobile(world):
    api = world.principals["oem_admin"].api()
    response = api.post("/api/v1/users/", {"username": "newbie", "password": TEST_PASSWORD, "mobile": "13800138001",
                                            "role": Role.CC_AGENT}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["mobile"] == "+8613800138001"
    bad = api.post("/api/v1/users/", {"username": "newbie2", "password": TEST_PASSWORD, "mobile": "12345",
                                       "role": Role.CC_AGENT}, format="json")
    assert bad.status_code == 400 and "mobile" in bad.json()


def test_dates_are_written_one_way_in_both_languages(world):
    from datetime import datetime

    from django.utils import timezone

    client, _token = make_client(world)
    used = timezone.make_aware(datetime(2026, 12, 1, 9, 30))
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=used)
    admin = browser(world, "oem_admin")
    for language in ("zh-hans", "en"):
        page = admin.get("/org/api-clients/", headers={"accept-language": language}).content.decode()
        assert "2026-12-01 09:30" in page, language


def test_an_integration_reads_mobiles_masked_until_hq_grants_it_and_the_grant_is_audited(world, api):
    """Issue 14: a tenant-wide integration gets no more personal data than the OEM's analysts, unless granted."""
    from crm_site.models.audit import AuditEvent
    from tests.customers.factories import CustomerFactory

    customer = CustomerFactory(dealer=world.dealers["A1"], mobile="+8613800138000")
    client = world.principals["client_tenant_write"]
    rows = {r["id"]: r for r in client.api().get("/api/v1/customers/").json()["results"]}
    assert rows[customer.pk]["mobile"] == "138****8000"
    dms = {r["id"]: r for r in api("client_dealer_read").get("/api/v1/customers/").json()["results"]}
    assert dms[customer.pk]["mobile"] == "+8613800138000"  # the store's own DMS, its own customer
    url = f"/api/v1/api-clients/{client.client.pk}/"
    assert api("dealer_manager").patch(url, {"personal_data": True}, format="json").status_code == 404
    granted = api("oem_admin").patch(url, {"personal_data": True}, format="json")
    assert granted.status_code == 200 and granted.json()["personal_data"] is True
    assert AuditEvent.objects.filter(action="api_client.personal_data", object_id=str(client.client.pk)).exists()
    rows = {r["id"]: r for r in client.api().get("/api/v1/customers/").json()["results"]}
    assert rows[customer.pk]["mobile"] == "+8613800138000"
