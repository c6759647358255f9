"""Tenancy guard: every resource in the API router, for every role and API-client kind.

Lists hold only in-scope rows; another dealer's or tenant's object answers 404 to every method; anonymous
requests answer 401; writes cannot name out-of-scope objects; readers that may not change get 403.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm_site.api.router import router

from ..conftest import PRINCIPALS, World
from .resources import RESOURCES, out_of_scope_ids

RESOURCE_NAMES = sorted(RESOURCES)
PRINCIPAL_NAMES = sorted(PRINCIPALS)


def viewset_of(resource: str):
    return next(viewset for prefix, viewset, _basename in router.registry if prefix == resource)


def may_write(resource: str, principal) -> bool:
    """What the viewset's own policy says; the suite checks the scope is applied whatever the policy."""
    return viewset_of(resource)().may_write(principal.scope) and principal.scope.allows_resource(resource)


def list_url(resource: str) -> str:
    return f"/api/v1/{resource}/"


def detail_url(resource: str, pk: int) -> str:
    return f"/api/v1/{resource}/{pk}/"


def objects_by_dealer(world: World, resource: str) -> dict[str, object]:
    spec = RESOURCES[resource]
    return {key: spec.make(world, key) for key in ("A1", "A2", "B1", "B2")}


def list_ids(api: APIClient, resource: str) -> set[int]:
    response = api.get(list_url(resource), {"page_size": 500})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_every_endpoint_is_covered():
    registered = {prefix for prefix, _viewset, _basename in router.registry}
    assert registered == set(RESOURCES), "register each new API resource in tests/tenancy/resources.py"


@pytest.mark.parametrize("resource", RESOURCE_NAMES)
def test_anonymous_requests_answer_401(world, resource):
    obj = RESOURCES[resource].make(world, "A1")
    anonymous = APIClient()
    assert anonymous.get(list_url(resource)).status_code == 401
    assert anonymous.get(detail_url(resource, obj.pk)).status_code == 401
    assert anonymous.post(list_url(resource), {}, format="json").status_code == 401
    assert anonymous.patch(detail_url(resource, obj.pk), {}, format="json").status_code == 401
    assert anonymous.delete(detail_url(resource, obj.pk)).status_code == 401


@pytest.mark.parametrize("resource", RESOURCE_NAMES)
def test_revoked_or_unknown_token_answers_401(world, resource):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer crmc_not-a-real-token")
    assert api.get(list_url(resource)).status_code == 401


@pytest.mark.parametrize("principal_name", PRINCIPAL_NAMES)
@pytest.mark.parametrize("resource", RESOURCE_NAMES)
def test_list_holds_only_in_scope_rows(world, resource, principal_name):
    principal = world.principals[principal_name]
    spec = RESOURCES[resource]
    objects = objects_by_dealer(world, resource)
    ids = list_ids(principal.api(), resource)
    for key, obj in objects.items():
        expected = spec.visible(principal, key)
        assert (obj.pk in ids) == expected, f"{principal_name} {'misses' if expected else 'sees'} {resource} of {key}"


@pytest.mark.parametrize("principal_name", PRINCIPAL_NAMES)
@pytest.mark.parametrize("resource", RESOURCE_NAMES)
def test_out_of_scope_objects_answer_404_to_every_method(world, resource, principal_name):
    principal = world.principals[principal_name]
    spec = RESOURCES[resource]
    api = principal.api()
    hidden = [obj for key, obj in objects_by_dealer(world, resource).items() if not spec.visible(principal, key)]
    assert hidden, "each principal has objects outside its scope (at least tenant B's)"
    body = spec.payload(world, principal) if spec.payload else {}
    # A method the resource does not have answers 405 for every id, so it tells nothing about what exists.
    expected = {method: 404 if method in spec.methods else 405 for method in ("put", "patch", "delete")}
    for obj in hidden:
        url = detail_url(resource, obj.pk)
        assert api.get(url).status_code == 404
        assert api.put(url, body, format="json").status_code == expected["put"]
        assert api.patch(url, {}, format="json").status_code == expected["patch"]
        assert api.delete(url).status_code == expected["delete"]
    assert api.get(detail_url(resource, 999_999_999)).status_code == 404
    assert api.get(f"/api/v1/{resource}/99999999999999999999999999/").status_code == 404


@pytest.mark.parametrize("principal_name", PRINCIPAL_NAMES)
@pytest.mark.parametrize("resource", RESOURCE_NAMES)
def test_in_scope_objects_change_only_for_writers(world, resource, principal_name):
    principal = world.principals[principal_name]
    spec = RESOURCES[resource]
    api = principal.api()
    visible = [obj for key, obj in objects_by_dealer(world, resource).items() if spec.visible(principal, key)]
    for obj in visible:
        assert api.get(detail_url(resource, obj.pk)).status_code == 200
        expected = (200 if may_write(resource, principal) else 403) if "patch" in spec.methods else 405
        assert api.patch(detail_url(resource, obj.pk), {}, format="json").status_code == expected


@pytest.mark.parametrize("principal_name", PRINCIPAL_NAMES)
@pytest.mark.parametrize("resource", RESOURCE_NAMES)
def test_writes_cannot_name_out_of_scope_objects(world, resource, principal_name):
    principal = world.principals[principal_name]
    spec = RESOURCES[resource]
    api = principal.api()
    if "post" not in spec.methods:
        assert api.post(list_url(resource), {}, format="json").status_code == 405
        return
    if not may_write(resource, principal):
        assert api.post(list_url(resource), spec.payload(world, principal), format="json").status_code == 403
        return
    for field_name, model in spec.related.items():
        for foreign_id in out_of_scope_ids(world, principal, model):
            body = spec.payload(world, principal) | {field_name: foreign_id}
            response = api.post(list_url(resource), body, format="json")
            assert response.status_code == 400, (field_name, response.content)
            assert field_name in response.json()
    response = api.post(list_url(resource), spec.payload(world, principal), format="json")
    assert response.status_code == 201, response.content
    created_id = response.json()["id"]
    assert created_id in list_ids(api, resource)
    for field_name, model in spec.related.items() if "patch" in spec.methods else ():
        for foreign_id in out_of_scope_ids(world, principal, model):
            response = api.patch(detail_url(resource, created_id), {field_name: foreign_id}, format="json")
            assert response.status_code == 400, (field_name, response.content)


@pytest.mark.parametrize("resource", RESOURCE_NAMES)
def test_tenant_and_dealer_come_from_the_scope_not_the_input(world, resource):
    spec = RESOURCES[resource]
    principal = world.principals[spec.creator]
    if "post" not in spec.methods:
        return
    model = viewset_of(resource).queryset.model
    before = model.objects.count()
    # A tenant in the body is not a field of any resource: refused by name, nothing written (issue 14).
    body = spec.payload(world, principal) | {"tenant": world.tenants["B"].pk, "tenant_id": world.tenants["B"].pk}
    refused = principal.api().post(list_url(resource), body, format="json")
    assert refused.status_code == 400 and {"tenant", "tenant_id"} <= set(refused.json()), refused.content
    assert model.objects.count() == before
    response = principal.api().post(list_url(resource), spec.payload(world, principal), format="json")
    assert response.status_code == 201, response.content
    assert model.objects.get(pk=response.json()["id"]).tenant_id == world.tenants["A"].pk
