"""In a real headless Chromium: an OEM admin logs in, adds a region, and switches the language."""

from __future__ import annotations

import pytest

from dealers.models import Region
from tests.dealers.factories import TEST_PASSWORD

from ..conftest import build_world
from .conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_admin_adds_a_region_and_switches_language(page, tmp_path):
    world = build_world()
    log_in(page, "oem_admin", TEST_PASSWORD)
    assert "欢迎" in page.content()
    page.click("text=大区")
    page.click("text=新建大区")
    page.fill("input[name=code]", world.regions["A1"].code)
    page.fill("input[name=name]", "西部大区")
    page.click("button[type=submit].primary")
    assert page.locator(".errors").count() >= 1, "a duplicate code is shown as a form error"
    assert page.input_value("input[name=name]") == "西部大区", "nothing the user typed is lost"
    page.fill("input[name=code]", "W")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/org/regions/")
    assert "西部大区" in page.content()
    assert Region.objects.get(code="W").tenant == world.tenants["A"]
    page.select_option("#lang-select", "en")
    page.wait_for_load_state("networkidle")
    assert "Regions" in page.content() and "New region" in page.content()
    page.screenshot(path=str(tmp_path / "regions-en.png"), full_page=True)
