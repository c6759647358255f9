"""In a real headless Chromium on a 390 px phone: a customer opens a survey link, answers, sees the thanks page, and
opening the link again says it was used."""

from __future__ import annotations

import pytest

from surveys.links import link_path
from surveys.models import SurveyResponse
from tests.surveys.factories import invitation, templates

from ..conftest import build_world


@pytest.mark.django_db(transaction=True)
def test_a_customer_answers_a_survey_on_a_phone(browser, live_server):
    world = build_world()
    inv = invitation(templates(world.tenants["A"])["ssi"], world.dealers["A1"])
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    url = f"{live_server.url}{link_path(inv)}"
    try:
        page.goto(url)
        assert world.dealers["A1"].name in page.content()
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for code, value in (("overall", "9"), ("initiation", "8"), ("salesperson", "10"), ("deal", "7"),
                            ("facility", "9"), ("delivery", "10"), ("recommend", "10")):
            target = page.locator(f"input[name={code}][value='{value}'] + span")
            box = target.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 28  # big touch targets
            target.tap()
        page.locator("input[name=explained][value='是'] + span").tap()
        assert page.locator("#progress-text").inner_text().startswith("8 / 9")
        page.fill("textarea[name=comment]", "顾问很专业")
        page.click("button.send")
        page.wait_for_selector(".note.ok")
        response = SurveyResponse.objects.get()
        assert response.answers["comment"] == "顾问很专业" and response.nps_category == "promoter"
        page.goto(url)
        assert page.locator(".note h2").count() == 1 and page.locator("form").count() == 0
        assert SurveyResponse.objects.count() == 1
    finally:
        context.close()
