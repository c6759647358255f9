"""The retention pages: who opens which, what they show, drill-down and exports, and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_site.models import AuditEvent
from tests.dealers.factories import DealerFactory
from tests.helpers import browser, count_queries

from .helpers import T, build, sold, visit

pytestmark = pytest.mark.django_db

AS_OF = T.isoformat()
VIEWERS = ["oem_admin", "oem_analyst", "region_manager", "dealer_manager"]
NOT_VIEWERS = ["cc_supervisor", "cc_agent", "sales_consultant", "service_advisor"]


def download(client, url: str, params: dict) -> tuple[int, bytes, dict]:
    """GET an export and read it whole (reading to the end finishes the request, and its row-level security, as
    a server would)."""
    response = client.get(url, params)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content, response


@pytest.fixture
def fleet(world):
    a1, a2, b1 = world.dealers["A1"], world.dealers["A2"], world.dealers["B1"]
    cars = {}
    cars["a1_lapsed"] = sold(a1, dt.date(2022, 1, 10))
    visit(cars["a1_lapsed"], a1, dt.date(2025, 3, 1))
    cars["a1_active"] = sold(a1, dt.date(2023, 5, 1))
    visit(cars["a1_active"], a1, dt.date(2026, 5, 1))
    cars["a1_defected"] = sold(a1, dt.date(2021, 5, 1))
    visit(cars["a1_defected"], a2, dt.date(2026, 4, 1))
    cars["a2_lapsed"] = sold(a2, dt.date(2024, 12, 1))
    cars["b1_lapsed"] = sold(b1, dt.date(2024, 12, 1))
    build(a1)
    build(b1)
    return cars


@pytest.mark.parametrize("name", VIEWERS)
def test_viewers_open_the_dashboard_and_scorecard(world, fleet, name):
    client = browser(world, name)
    response = client.get("/retention/", {"as_of": AS_OF})
    if name == "dealer_manager":
        assert response.status_code == 302
        assert response["Location"].startswith(f"/retention/dealers/{world.dealers['A1'].pk}/")
    else:
        assert response.status_code == 200
        assert "客户掌握率" in response.content.decode()
    assert client.get(f"/retention/dealers/{world.dealers['A1'].pk}/", {"as_of": AS_OF}).status_code == 200


@pytest.mark.parametrize("name", NOT_VIEWERS)
def test_other_roles_get_403(world, fleet, name):
    client = browser(world, name)
    assert client.get("/retention/").status_code == 403
    assert client.get(f"/retention/dealers/{world.dealers['A1'].pk}/").status_code == 403
    assert client.get("/retention/vehicles/").status_code == 403


@pytest.mark.parametrize("name", ["region_manager", "dealer_manager"])
def test_a_dealer_outside_the_scope_answers_404(world, fleet, name):
    client = browser(world, name)
    for key in ("A2", "B1"):
        dealer = world.dealers[key]
        assert client.get(f"/retention/dealers/{dealer.pk}/").status_code == 404
        assert client.get("/retention/vehicles/", {"dealer": dealer.pk}).status_code == 404


def test_hq_scorecard_of_another_tenants_dealer_is_404(world, fleet):
    client = browser(world, "oem_admin")
    assert client.get(f"/retention/dealers/{world.dealers['B1'].pk}/").status_code == 404


def test_the_dashboard_ranks_dealers_and_links_to_the_lapsed_vehicles(world, fleet):
    body = browser(world, "oem_analyst").get("/retention/", {"as_of": AS_OF}).content.decode()
    a1 = world.dealers["A1"]
    assert f'/retention/vehicles/?as_of={AS_OF}&amp;dealer={a1.pk}&amp;state=lapsed' in body
    assert world.dealers["B1"].code not in body


@pytest.mark.parametrize("name", ["oem_analyst", "region_manager", "dealer_manager"])
def test_the_vehicle_list_holds_only_the_scopes_vehicles(world, fleet, name):
    body = browser(world, name).get("/retention/vehicles/", {"as_of": AS_OF, "state": "lapsed"}).content.decode()
    assert fleet["a1_lapsed"].vin in body
    assert fleet["a1_active"].vin not in body
    assert fleet["b1_lapsed"].vin not in body
    assert (fleet["a2_lapsed"].vin in body) == (name == "oem_analyst")


def test_defected_list_names_where_the_car_went(world, fleet):
    body = browser(world, "oem_admin").get("/retention/vehicles/", {
        "as_of": AS_OF, "dealer": world.dealers["A1"].pk, "defected": "1"}).content.decode()
    assert fleet["a1_defected"].vin in body and world.dealers["A2"].code in body
    assert fleet["a1_lapsed"].vin not in body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_vehicle_list_exports_and_the_read_is_audited(world, fleet, fmt):
    status, content, _response = download(browser(world, "oem_analyst"), "/retention/vehicles/",
                                          {"as_of": AS_OF, "state": "lapsed", "format": fmt})
    assert status == 200
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        assert fleet["a1_lapsed"].vin in text and fleet["b1_lapsed"].vin not in text
    assert AuditEvent.objects.filter(action="retention.export", tenant=world.tenants["A"]).count() == 1


def test_dashboard_ranking_exports(world, fleet):
    _status, content, _response = download(browser(world, "oem_admin"), "/retention/", {"as_of": AS_OF, "format": "csv"})
    text = content.decode("utf-8-sig")
    assert world.dealers["A1"].code in text and world.dealers["B1"].code not in text


def test_an_unknown_date_answers_404_and_a_bad_one_400(world, fleet):
    client = browser(world, "oem_admin")
    assert client.get("/retention/", {"as_of": "2020-01-01"}).status_code == 404
    assert client.get("/retention/", {"as_of": "nonsense"}).status_code == 400
    assert client.get("/retention/vehicles/", {"band": "99"}).status_code == 400


def test_no_snapshot_yet_is_said_politely(world):
    response = browser(world, "oem_admin").get("/retention/")
    assert response.status_code == 200
    assert "build_retention" in response.content.decode()


def test_the_region_drill_down_lists_its_dealers(world, fleet):
    region = world.regions["A1"]
    body = browser(world, "oem_admin").get("/retention/", {"as_of": AS_OF, "region": region.pk}).content.decode()
    assert world.dealers["A1"].code in body
    assert f'data-key="{world.dealers["A2"].pk}"' not in body
    assert browser(world, "oem_admin").get("/retention/", {"region": world.regions["B1"].pk}).status_code == 404


def test_landing_widgets_show_to_hq_regions_and_dealer_managers(world, fleet):
    assert "widget-retention_network" in browser(world, "oem_analyst").get("/").content.decode()
    assert "widget-retention_network" in browser(world, "region_manager").get("/").content.decode()
    body = browser(world, "dealer_manager").get("/").content.decode()
    assert "widget-retention_scorecard" in body and "widget-retention_network" not in body
    assert "widget-retention" not in browser(world, "service_advisor").get("/").content.decode()


def test_the_dashboard_and_scorecard_run_a_constant_number_of_queries(world, fleet):
    client = browser(world, "oem_admin")
    dashboard = count_queries(client, f"/retention/?as_of={AS_OF}")
    scorecard = count_queries(client, f"/retention/dealers/{world.dealers['A1'].pk}/?as_of={AS_OF}")
    for n in range(4):
        dealer = DealerFactory(tenant=world.tenants["A"], region=world.regions["A1"])
        car = sold(dealer, dt.date(2022, 1, 1))
        visit(car, world.dealers["A2"], dt.date(2026, 5, 1))
    build(world.dealers["A1"])
    assert count_queries(client, f"/retention/?as_of={AS_OF}") == dashboard
    assert count_queries(client, f"/retention/dealers/{world.dealers['A1'].pk}/?as_of={AS_OF}") == scorecard


def test_staff_kpis_and_stock_open_for_their_roles(world, fleet):
    assert browser(world, "dealer_manager").get("/retention/staff/").status_code == 200
    assert download(browser(world, "oem_analyst"), "/retention/staff/", {"format": "csv"})[0] == 200
    assert browser(world, "region_manager").get("/retention/staff/").status_code == 403
    assert browser(world, "sales_consultant").get("/retention/staff/").status_code == 403
    assert browser(world, "dealer_manager").get("/retention/stock/").status_code == 200
    assert download(browser(world, "oem_admin"), "/retention/stock/", {"format": "xlsx"})[0] == 200


def test_settings_are_hq_admins_and_keep_bad_input(world):
    client = browser(world, "oem_admin")
    assert client.get("/retention/settings/").status_code == 200
    response = client.post("/retention/settings/", {"retained_months": 12, "active_months": 18, "lapsed_months": 12,
                                                    "lost_months": 24, "small_base": 30})
    assert response.status_code == 400 and 'value="18"' in response.content.decode()
    assert client.post("/retention/settings/", {"retained_months": 24, "active_months": 6, "lapsed_months": 24,
                                                "lost_months": 36, "small_base": 10}).status_code == 302
    from retention.models import RetentionSettings

    assert RetentionSettings.for_tenant(world.tenants["A"].pk).lost_months == 36
    assert browser(world, "oem_analyst").get("/retention/settings/").status_code == 403


@pytest.mark.parametrize("table", ["dealers", "regions", "bands", "defection"])
def test_every_dashboard_table_exports_only_the_scope(world, fleet, table):
    status, content, _response = download(browser(world, "region_manager"), "/retention/",
                                          {"as_of": AS_OF, "table": table, "format": "csv"})
    assert status == 200
    text = content.decode("utf-8-sig")
    assert world.dealers["B1"].code not in text
    if table == "defection":
        assert world.dealers["A1"].code in text


@pytest.mark.parametrize("table", ["bands", "trend"])
def test_scorecard_tables_export(world, fleet, table):
    url = f"/retention/dealers/{world.dealers['A1'].pk}/"
    status, _content, response = download(browser(world, "dealer_manager"), url,
                                          {"as_of": AS_OF, "table": table, "format": "xlsx"})
    assert status == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
