"""In a real headless Chromium: a service advisor serves a walk-in, and a consultant works the lead pipeline."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from customers.models import CustomerDealer, Lead
from dealers.choices import Role
from dealers.models import User
from dealers.principals import scope_for_user
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.dealers.factories import TEST_PASSWORD
from tests.vehicles.factories import VehicleModelFactory, make_vin
from vehicles.models import ServiceVisit
from vehicles.services import sale_record

from ..conftest import build_world
from .conftest import log_in


def screenshot(page, tmp_path: Path, name: str) -> None:
    """Full-page screenshot into the test's folder, or into $SCREENSHOT_DIR to look at them."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_advisor_records_a_visit_for_a_walk_in_and_sees_it_on_the_timeline(page, tmp_path):
    world = build_world()
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    model = VehicleModelFactory(tenant=world.tenants["A"], series="凯美瑞", name="2.5HQ 旗舰版")
    seller = User.objects.create_user("a2sales", tenant=world.tenants["A"], role=Role.SALES_CONSULTANT, dealer=a2)
    vin = make_vin(4242)
    sale, _created = sale_record(scope=scope_for_user(seller), dealer_id=a2.pk, consultant=seller,
                       customer_data={"name": "欧阳娜娜", "mobile": "13655556666"},
                       vehicle_data={"vin": vin, "plate": "沪C12345", "model": model, "colour": "极光蓝"},
                       delivered_on=date(2025, 3, 18), price=239800)
    owner = sale.customer

    log_in(page, "service_advisor", TEST_PASSWORD)
    page.click("nav.mainnav >> text=记录维修保养")
    page.fill("input[name=q]", vin.lower())
    card = page.locator(".lookup-card.walk-in")
    card.wait_for()
    assert "欧*" in card.inner_text() and "136****6666" in card.inner_text()
    assert "欧阳娜娜" not in page.content(), "a walk-in's owner stays masked until served"
    page.select_option("select[name=kind]", "first_maintenance")
    page.fill("input[name=mileage_km]", "5230")
    page.fill("input[name=amount]", "0")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"**/customers/{owner.pk}/**")

    timeline = page.locator("#timeline .tl-service_visit")
    assert timeline.count() == 1 and "5,230 km" in timeline.inner_text()
    assert "欧阳娜娜" in page.locator("h1").inner_text()
    visit = ServiceVisit.objects.get()
    assert visit.dealer == a1 and visit.customer == owner
    assert CustomerDealer.objects.filter(customer=owner, dealer=a1).exists()
    # An advisor sees the mobile in full; the ID number stays masked and needs a logged reveal.
    assert "13655556666" in page.locator(".idline").inner_text()
    screenshot(page, tmp_path, "customer-360")


@pytest.mark.django_db(transaction=True)
def test_consultant_moves_leads_on_the_pipeline(page, tmp_path):
    world = build_world()
    a1 = world.dealers["A1"]
    me = world.principals["sales_consultant"].user
    model = VehicleModelFactory(tenant=world.tenants["A"], series="RAV4荣放", name="2.0L 四驱尊贵版")
    names = ["马丽", "沈腾", "艾伦", "常远", "魏翔", "黄才伦", "王成思"]
    for n, (name, stage) in enumerate(zip(names, ["new", "new", "contacted", "test_drive", "negotiation", "won",
                                                  "lost"], strict=True)):
        LeadFactory(dealer=a1, assigned_to=me, stage=stage, interested_model=model,
                    lost_reason="price" if stage == "lost" else "", source="web" if n % 2 else "walk_in",
                    customer=CustomerFactory(dealer=a1, name=name), next_action_on=date(2026, 12, 1 + n))
    first = Lead.objects.get(customer__name="马丽")

    log_in(page, "sales_consultant", TEST_PASSWORD)
    page.click("nav.mainnav >> text=线索")
    page.wait_for_url("**/customers/leads/mine/")
    new_column = page.locator("section.col-new")
    assert new_column.locator(".count").inner_text() == "2"
    new_column.locator(".lead-card", has_text="马丽").locator("button[value=contacted]").click()
    page.locator("section.col-contacted .lead-card", has_text="马丽").wait_for()
    assert page.locator("section.col-new .count").inner_text() == "1"
    first.refresh_from_db()
    assert first.stage == "contacted"

    card = page.locator("section.col-contacted .lead-card", has_text="马丽")
    card.locator("details.lose summary").click()
    card.locator("button[value=lost]").click()
    page.locator(".errors.banner").wait_for()
    first.refresh_from_db()
    assert first.stage == "contacted", "losing a lead needs a reason"
    screenshot(page, tmp_path, "lead-pipeline")
