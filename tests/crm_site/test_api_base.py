"""The API base: tokens, JSON errors, limits, pagination, schema and health checks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from dealers.models import UserToken
from tests.dealers.factories import TEST_PASSWORD


def test_token_is_issued_for_valid_credentials_and_works(world):
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "oem_admin", "password": TEST_PASSWORD}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("crmu_") and body["token_type"] == "Bearer"
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api.get("/api/v1/dealers/").status_code == 200


def test_wrong_password_answers_401_with_json(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "oem_admin", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_token_request_without_fields_answers_400_with_field_messages(db):
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"username", "password"}


def test_revoked_user_token_stops_working(world):
    api = world.principals["oem_analyst"].api()
    assert api.delete("/api/v1/auth/token/").status_code == 204
    assert api.get("/api/v1/dealers/").status_code == 401


def test_expired_user_token_answers_401(world):
    UserToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert world.principals["oem_admin"].api().get("/api/v1/regions/").status_code == 401


def test_deactivated_user_token_answers_401(world):
    user = world.principals["sales_consultant"].user
    user.is_active = False
    user.save()
    assert world.principals["sales_consultant"].api().get("/api/v1/regions/").status_code == 401


def test_revoked_api_client_stops_working(world):
    client_principal = world.principals["client_dealer_read"]
    admin = world.principals["oem_admin"].api()
    assert admin.post(f"/api/v1/api-clients/{client_principal.client.pk}/revoke/").status_code == 200
    assert client_principal.api().get("/api/v1/dealers/").status_code == 401


def test_rotated_api_client_token_replaces_the_old_one(world):
    client_principal = world.principals["client_dealer_read"]
    admin = world.principals["oem_admin"].api()
    response = admin.post(f"/api/v1/api-clients/{client_principal.client.pk}/rotate/")
    assert response.status_code == 200
    new_token = response.json()["token"]
    assert client_principal.api().get("/api/v1/dealers/").status_code == 401
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {new_token}")
    assert fresh.get("/api/v1/dealers/").status_code == 200


def test_read_only_api_client_cannot_write(world):
    api = world.principals["client_dealer_read"].api()
    assert api.post("/api/v1/regions/", {"code": "X", "name": "x"}, format="json").status_code == 403


def test_api_client_limited_to_resources_gets_403_elsewhere(world):
    admin = world.principals["oem_admin"].api()
    response = admin.post("/api/v1/api-clients/", {"name": "only dealers", "resources": ["dealers"]}, format="json")
    assert response.status_code == 201, response.content
    limited = APIClient()
    limited.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert limited.get("/api/v1/dealers/").status_code == 200
    assert limited.get("/api/v1/regions/").status_code == 403


def test_unknown_resource_in_api_client_is_a_field_error(world):
    admin = world.principals["oem_admin"].api()
    response = admin.post("/api/v1/api-clients/", {"name": "x", "resources": ["nope"]}, format="json")
    assert response.status_code == 400 and "resources" in response.json()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'"text"', b"null", b'{"code": ["a"], "name": {"x": 1}}', b'{"code": "' + b"x" * 5000 + b'"}'],
)
def test_malformed_bodies_answer_400(world, body):
    api = world.principals["oem_admin"].api()
    response = api.generic("POST", "/api/v1/regions/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    json.loads(response.content)


def test_wrong_types_for_related_ids_answer_400(world):
    api = world.principals["oem_admin"].api()
    for bad in ["abc", 1.5, True, [], {}, 10**30, -1, "99999999999999999999999"]:
        response = api.post("/api/v1/dealers/", {"region": bad, "code": "Z1", "name": "z"}, format="json")
        assert response.status_code == 400, (bad, response.content)
        assert "region" in response.json()


def test_unsupported_media_type_answers_415(world):
    api = world.principals["oem_admin"].api()
    response = api.generic("POST", "/api/v1/regions/", b"code=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_huge_body_answers_413(world):
    api = world.principals["oem_admin"].api()
    body = json.dumps({"code": "A", "name": "x" * 5000}).encode()
    response = api.generic("POST", "/api/v1/regions/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_method_not_allowed_answers_405_json(world):
    response = world.principals["oem_admin"].api().put("/api/v1/regions/", {}, format="json")
    assert response.status_code == 405
    assert "detail" in response.json()


def test_unknown_api_path_answers_404_json(world):
    response = world.principals["oem_admin"].api().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_bad_filter_value_answers_400(world):
    api = world.principals["oem_admin"].api()
    assert api.get("/api/v1/dealers/", {"region": "abc"}).status_code == 400
    assert api.get("/api/v1/dealers/", {"updated_after": "yesterday"}).status_code == 400
    other_tenant_region = world.regions["B1"].pk
    assert api.get("/api/v1/dealers/", {"region": other_tenant_region}).status_code == 400


def test_bad_cursor_answers_404_not_500(world):
    response = world.principals["oem_admin"].api().get("/api/v1/dealers/", {"cursor": "garbage"})
    assert response.status_code == 404


def test_deleting_a_region_with_dealers_answers_409(world):
    api = world.principals["oem_admin"].api()
    response = api.delete(f"/api/v1/regions/{world.regions['A1'].pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_duplicate_code_is_a_field_error_not_a_crash(world):
    api = world.principals["oem_admin"].api()
    response = api.post("/api/v1/regions/", {"code": world.regions["A1"].code, "name": "dup"}, format="json")
    assert response.status_code == 400
    # another tenant may use the same code
    response = api.post("/api/v1/regions/", {"code": world.regions["B1"].code, "name": "same code, other tenant"},
                        format="json")
    assert response.status_code == 201


def test_cursor_pagination_pages_through_everything(world):
    api = world.principals["oem_admin"].api()
    for n in range(7):
        api.post("/api/v1/regions/", {"code": f"P{n}", "name": f"p{n}"}, format="json")
    seen, url = [], "/api/v1/regions/?page_size=3"
    while url:
        body = api.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 9


def test_page_size_is_capped_at_500(world):
    response = world.principals["oem_admin"].api().get("/api/v1/regions/", {"page_size": 100000})
    assert response.status_code == 200


def test_too_many_requests_answer_429(world, monkeypatch):
    from crm_site.api.throttling import PrincipalRateThrottle

    monkeypatch.setattr(PrincipalRateThrottle, "rate", "3/min", raising=False)
    api = world.principals["oem_admin"].api()
    codes = [api.get("/api/v1/regions/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = api.get("/api/v1/regions/")
    assert response.json()["code"] == "throttled" and "Retry-After" in response.headers


def test_password_guessing_at_the_token_endpoint_is_throttled(world, monkeypatch):
    from crm_site.api.throttling import AuthRateThrottle

    monkeypatch.setattr(AuthRateThrottle, "rate", "2/min", raising=False)
    api = APIClient()
    codes = [
        api.post("/api/v1/auth/token/", {"username": "oem_admin", "password": "guess"}, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [401, 401, 429]


def test_healthz_answers_without_database(client):
    # No db fixture: any database access here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_and_broker(db, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_openapi_schema_validates(db, tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for resource in ["regions", "dealers", "users", "api-clients"]:
        assert f"/api/v1/{resource}/" in text
    assert "updated_after" in text and "bearerAuth" in text and "'413'" in text


def test_schema_and_docs_are_served(db, client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower(), "the docs page must load Swagger UI from our own static files"
