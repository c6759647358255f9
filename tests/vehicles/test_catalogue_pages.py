"""The vehicle model catalogue pages: every role reads, OEM administrators keep it; codes unique per tenant."""

from __future__ import annotations

import pytest

from tests.helpers import EVERY_ROLE, browser, count_queries
from tests.vehicles.factories import VehicleModelFactory
from vehicles import choices
from vehicles.models import VehicleModel

LIST = "/vehicles/models/"
NEW = "/vehicles/models/new/"
WRITERS = {"oem_admin"}  # vehicles.access.CATALOGUE_EDIT


def model_data(**overrides) -> dict:
    data = {"code": "CAM-25-HEV", "series": "凯美瑞", "name": "2.5HQ 旗舰版", "year": 2025,
            "fuel_type": choices.FuelType.HYBRID, "price_band": choices.PriceBand.MID, "is_active": "on"}
    return data | overrides


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_every_role_reads_the_catalogue_and_only_admins_change_it(world, car_model, name):
    client = browser(world, name)
    page = client.get(LIST)
    assert page.status_code == 200 and car_model.code in page.content.decode()
    held = name in WRITERS
    assert (f'href="/vehicles/models/{car_model.pk}/"' in page.content.decode()) == held
    assert client.get(NEW).status_code == (200 if held else 403)
    assert client.get(f"/vehicles/models/{car_model.pk}/").status_code == (200 if held else 403)
    assert client.post(NEW, model_data()).status_code == (302 if held else 403)


def test_list_holds_the_own_tenant_only_and_filters(world, car_model):
    tenant = world.tenants["A"]
    VehicleModelFactory(tenant=tenant, series="卡罗拉", year=2024, fuel_type=choices.FuelType.PETROL, is_active=False,
                        code="COR-24")
    VehicleModelFactory(tenant=world.tenants["B"], code="OTHER-TENANT")
    client = browser(world, "oem_analyst")
    page = client.get(LIST).content.decode()
    assert "COR-24" in page and car_model.code in page and "OTHER-TENANT" not in page
    filtered = client.get(LIST, {"series": "卡罗拉", "year": 2024, "fuel_type": "petrol", "is_active": "false"})
    assert [m.code for m in filtered.context["object_list"]] == ["COR-24"]
    assert [m.code for m in client.get(LIST, {"is_active": "true"}).context["object_list"]] == [car_model.code]


def test_admin_creates_and_edits_a_model(world):
    client = browser(world, "oem_admin")
    assert client.post(NEW, model_data()).status_code == 302
    created = VehicleModel.objects.get(code="CAM-25-HEV")
    assert created.tenant == world.tenants["A"] and created.is_active
    response = client.post(f"/vehicles/models/{created.pk}/", model_data(name="2.5HG 豪华版", is_active=""))
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.name == "2.5HG 豪华版" and not created.is_active


def test_a_code_taken_in_the_tenant_is_a_form_error_not_a_crash(world, car_model):
    client = browser(world, "oem_admin")
    response = client.post(NEW, model_data(code=car_model.code))
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    # Another tenant's code does not count.
    VehicleModelFactory(tenant=world.tenants["B"], code="B-ONLY")
    assert client.post(NEW, model_data(code="B-ONLY")).status_code == 302


def test_another_tenants_model_answers_404(world):
    foreign = VehicleModelFactory(tenant=world.tenants["B"])
    assert browser(world, "oem_admin").get(f"/vehicles/models/{foreign.pk}/").status_code == 404


def test_catalogue_list_runs_a_constant_number_of_queries(world):
    client = browser(world, "oem_admin")
    VehicleModelFactory(tenant=world.tenants["A"])
    few = count_queries(client, LIST)
    VehicleModelFactory.create_batch(5, tenant=world.tenants["A"])
    assert count_queries(client, LIST) == few
