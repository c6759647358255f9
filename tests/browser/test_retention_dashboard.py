"""In a real headless Chromium: an OEM analyst opens the retention dashboard, drills from the network to a dealer to
the vehicles behind its lapsed count, and exports that list."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dealers.factories import TEST_PASSWORD
from tests.retention.helpers import build, sold, visit

from ..conftest import build_world
from .conftest import log_in
from .test_walk_in import screenshot


@pytest.mark.django_db(transaction=True)
def test_an_analyst_drills_from_the_network_to_the_lapsed_vehicles_and_exports_them(page, tmp_path):
    world = build_world()
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    lapsed = [sold(a1, dt.date(2024, 12, 1)) for _n in range(2)]
    retained = sold(a1, dt.date(2023, 3, 1))
    visit(retained, a1, dt.date(2026, 5, 1))
    gone = sold(a1, dt.date(2022, 3, 1))
    visit(gone, a2, dt.date(2026, 4, 1))
    sold(a2, dt.date(2025, 1, 1))
    build(a1, dt.date(2026, 6, 30))

    log_in(page, "oem_analyst", TEST_PASSWORD)
    page.goto(f"{page.base_url}/retention/")
    page.wait_for_selector("#kpis")
    page.wait_for_selector(".chart-canvas svg")  # ECharts drew the age curve from our own static files
    assert page.locator("#kpi-grasp_rate dd").inner_text().endswith("%")
    assert page.locator("#kpi-grasp_rate dt").get_attribute("title")  # every figure says how it is defined
    screenshot(page, tmp_path, "retention-dashboard")

    page.click(f'#dealers tr[data-key="{a1.pk}"] td a')
    page.wait_for_url(f"**/retention/dealers/{a1.pk}/**")
    assert a1.code in page.content()
    screenshot(page, tmp_path, "retention-scorecard")

    page.click("#lapsed-all")
    page.wait_for_url("**/retention/vehicles/**")
    rows = page.locator("#vehicles tbody tr")
    assert rows.count() == 2
    text = page.locator("#vehicles").inner_text()
    assert all(car.vin in text for car in lapsed) and retained.vin not in text and gone.vin not in text

    with page.expect_download() as download_info:
        page.click("#export-links a:first-child")
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    content = path.read_text(encoding="utf-8-sig")
    assert download.suggested_filename.endswith(".csv")
    assert all(car.vin in content for car in lapsed) and retained.vin not in content

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{page.base_url}/retention/")
    page.wait_for_selector("#kpis")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
