"""A tenant bootstrapped with create_tenant builds its whole organisation through the API alone."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from dealers.choices import Role
from dealers.models import Tenant

PASSWORD = "Correct-Horse-9"


def login(username: str, password: str = PASSWORD) -> APIClient:
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 201, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return api


def created(response) -> int:
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.mark.django_db
def test_new_tenant_builds_its_organisation_through_the_api():
    call_command("create_tenant", name="新汽车", slug="new-motors", admin_username="boss", admin_password=PASSWORD)
    call_command("create_tenant", name="别家汽车", slug="other", admin_username="other", admin_password=PASSWORD)
    admin = login("boss")
    north = created(admin.post("/api/v1/regions/", {"code": "N", "name": "华北"}, format="json"))
    south = created(admin.post("/api/v1/regions/", {"code": "S", "name": "华南"}, format="json"))
    bj = created(admin.post("/api/v1/dealers/", {"region": north, "code": "BJ1", "name": "北京店"}, format="json"))
    gz = created(admin.post("/api/v1/dealers/", {"region": south, "code": "GZ1", "name": "广州店"}, format="json"))
    users = {
        Role.OEM_ANALYST: {},
        Role.REGION_MANAGER: {"region": north},
        Role.CC_SUPERVISOR: {},
        Role.CC_AGENT: {},
        Role.DEALER_MANAGER: {"dealer": bj},
        Role.SALES_CONSULTANT: {"dealer": bj},
        Role.SERVICE_ADVISOR: {"dealer": gz},
    }
    for role, extra in users.items():
        body = {"username": f"u-{role}", "password": PASSWORD, "role": role, "full_name": "张三"} | extra
        created(admin.post("/api/v1/users/", body, format="json"))
    client = admin.post("/api/v1/api-clients/", {"name": "北京DMS", "dealer": bj, "access": "write"}, format="json")
    created(client)
    dms = APIClient()
    dms.credentials(HTTP_AUTHORIZATION=f"Bearer {client.json()['token']}")

    def dealer_ids(api: APIClient) -> set[int]:
        return {row["id"] for row in api.get("/api/v1/dealers/").json()["results"]}

    assert dealer_ids(admin) == {bj, gz}
    assert dealer_ids(login(f"u-{Role.REGION_MANAGER}")) == {bj}
    assert dealer_ids(login(f"u-{Role.CC_AGENT}")) == {bj, gz}
    assert dealer_ids(login(f"u-{Role.SALES_CONSULTANT}")) == {bj}
    assert dealer_ids(login(f"u-{Role.SERVICE_ADVISOR}")) == {gz}
    assert dealer_ids(dms) == {bj}
    assert dealer_ids(login("other")) == set()
    assert Tenant.objects.count() == 2


@pytest.mark.django_db
def test_create_tenant_refuses_a_taken_slug():
    call_command("create_tenant", name="A", slug="a", admin_username="a1", admin_password=PASSWORD)
    with pytest.raises(CommandError):
        call_command("create_tenant", name="A2", slug="a", admin_username="a2", admin_password=PASSWORD)


def test_role_needs_its_dealer_or_region(world):
    admin = world.principals["oem_admin"].api()
    base = {"username": "x1", "password": PASSWORD}
    response = admin.post("/api/v1/users/", base | {"role": Role.SERVICE_ADVISOR}, format="json")
    assert response.status_code == 400
    response = admin.post("/api/v1/users/", base | {"role": Role.REGION_MANAGER}, format="json")
    assert response.status_code == 400
    response = admin.post("/api/v1/users/", base | {"role": "emperor"}, format="json")
    assert response.status_code == 400 and "role" in response.json()


def test_weak_password_is_a_field_error(world):
    admin = world.principals["oem_admin"].api()
    response = admin.post("/api/v1/users/", {"username": "x2", "password": "123", "role": Role.CC_AGENT}, format="json")
    assert response.status_code == 400 and "password" in response.json()


def test_password_is_never_returned(world):
    admin = world.principals["oem_admin"].api()
    response = admin.get("/api/v1/users/")
    assert all("password" not in row for row in response.json()["results"])


def test_dealer_manager_adds_staff_to_own_dealer_only(world):
    manager = world.principals["dealer_manager"].api()
    response = manager.post(
        "/api/v1/users/", {"username": "newbie", "password": PASSWORD, "role": Role.SALES_CONSULTANT}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["dealer"] == world.dealers["A1"].pk
    response = manager.post(
        "/api/v1/users/", {"username": "boss2", "password": PASSWORD, "role": Role.OEM_ADMIN}, format="json"
    )
    assert response.status_code == 400 and "role" in response.json()


def test_dealer_manager_cannot_promote_themselves(world):
    principal = world.principals["dealer_manager"]
    response = principal.api().patch(f"/api/v1/users/{principal.user.pk}/", {"role": Role.OEM_ADMIN}, format="json")
    assert response.status_code == 400


def test_deleting_a_user_deactivates_and_revokes(world):
    admin = world.principals["oem_admin"].api()
    advisor = world.principals["service_advisor"]
    assert admin.delete(f"/api/v1/users/{advisor.user.pk}/").status_code == 204
    advisor.user.refresh_from_db()
    assert advisor.user.is_active is False
    assert advisor.api().get("/api/v1/dealers/").status_code == 401


def test_dealer_manager_api_client_is_bound_to_their_dealer(world):
    manager = world.principals["dealer_manager"].api()
    response = manager.post("/api/v1/api-clients/", {"name": "my DMS", "access": "write"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["dealer"] == world.dealers["A1"].pk
    assert response.json()["token"].startswith("crmc_")
    listed = manager.get("/api/v1/api-clients/").json()["results"]
    assert all("token" not in row or row["token"] is None for row in listed)


def test_the_token_purge_runs_for_a_tenant_as_of_a_given_moment(world):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from dealers.models import UserToken

    later = timezone.now() + timedelta(days=60)  # every token of the world has expired by then
    tenant_a = UserToken.objects.filter(user__tenant=world.tenants["A"]).count()
    out = StringIO()
    call_command("purge_expired_tokens", "--tenant", world.tenants["A"].slug, "--at", later.isoformat(), stdout=out)
    assert out.getvalue().startswith(f"{tenant_a} token(s) deleted")
    assert not UserToken.objects.filter(user__tenant=world.tenants["A"]).exists()
