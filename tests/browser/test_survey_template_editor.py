"""In a real headless Chromium: an HQ admin adds a question to a survey template in the card editor, previews the
unsaved form as the customer will see it, saves, and sees version 2; the same without the script; a phone width."""

from __future__ import annotations

import os

import pytest

from surveys.models import SurveyTemplate
from tests.dealers.factories import TEST_PASSWORD
from tests.surveys.factories import templates

from ..conftest import build_world
from .conftest import log_in

SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"form-{name}.png"), full_page=True)


def _violations(page) -> list[str]:
    found = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return found


@pytest.mark.django_db(transaction=True)
def test_an_admin_adds_a_question_previews_it_and_saves_version_2(page):
    world = build_world()
    ssi = templates(world.tenants["A"])["ssi"]
    violations = _violations(page)
    log_in(page, "oem_admin", TEST_PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{page.base_url}/surveys/templates/{ssi.pk}/")
    _shot(page, "desktop")
    page.click("[data-add-question]")
    card = page.locator("#card-q-9")
    assert page.url.endswith(f"/surveys/templates/{ssi.pk}/")  # added in place by the script
    assert page.input_value("input[name=q-TOTAL_FORMS]") == "10" and card.locator("[data-q-number]").inner_text() == "–"
    page.fill("#id_q-9-code", "waiting")
    page.fill("#id_q-9-text", "等待时间可以接受吗？")
    assert card.locator("[data-q-number]").inner_text() == "10"
    assert page.is_visible("#id_q-9-scale_max") and not page.is_visible("#id_q-9-choices")
    page.select_option("#id_q-9-type", "choice")
    assert page.is_visible("#id_q-9-choices") and not page.is_visible("#id_q-9-scale_max")
    assert not page.is_visible("#id_q-9-weight")
    page.fill("#id_q-9-choices", "可以\n太久了")
    card.locator("[data-move=up]").click()  # before the comment, which stays last
    assert page.locator("[data-q-card]").nth(8).get_attribute("id") == "card-q-9"
    assert page.input_value("#id_q-9-ORDER") == "9" and page.input_value("#id_q-8-ORDER") == "10"
    _shot(page, "desktop-added")

    with page.expect_popup() as opened:
        page.click("button[value=preview]")
    preview = opened.value
    preview.wait_for_load_state()
    preview.set_viewport_size({"width": 390, "height": 844})
    assert preview.locator(".preview-flag").is_visible()
    assert preview.locator("fieldset[data-question]").count() == 10
    assert preview.locator("fieldset[data-question]").nth(8).inner_text().count("太久了") == 1
    assert preview.locator("button.send").is_disabled()
    assert preview.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(preview, "preview-390")
    preview.close()
    assert SurveyTemplate.objects.filter(code="ssi", tenant=world.tenants["A"]).count() == 1  # nothing saved

    page.click("button.primary[value=save]")
    page.wait_for_load_state("networkidle")
    new = SurveyTemplate.objects.get(code="ssi", tenant=world.tenants["A"], is_current=True)
    assert new.version == 2 and page.url.endswith(f"/surveys/templates/{new.pk}/")
    assert "2" in page.locator("h1").inner_text() and page.locator(".messages li").count() == 1
    assert [q["code"] for q in new.questions][-2:] == ["waiting", "comment"]
    assert new.questions[-2]["choices"] == ["可以", "太久了"]

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.url)
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    _shot(page, "390")
    assert violations == []


@pytest.mark.django_db(transaction=True)
def test_the_editor_works_without_the_script(browser, live_server):
    world = build_world()
    ssi = templates(world.tenants["A"])["ssi"]
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        log_in(page, "oem_admin", TEST_PASSWORD)
        page.goto(f"{page.base_url}/surveys/templates/{ssi.pk}/")
        page.fill("#id_q-1-text", "没有脚本也留着")
        page.click("[data-add-question]")  # the server shows the editor again with a blank card
        assert page.locator("[data-q-card]").count() == 10 and page.input_value("#id_q-1-text") == "没有脚本也留着"
        page.fill("#id_q-9-code", "noscript")
        page.fill("#id_q-9-text", "无脚本新增的题目")
        page.locator("#card-q-2 [data-move=up]").click()
        assert page.input_value("#id_q-1-code") == "salesperson"
        _shot(page, "noscript-390")
        page.fill("#id_q-3-scale_max", "1")  # the same as its start: questions_clean refuses it
        page.click("button.primary[value=save]")
        assert "has-error" in page.get_attribute("#card-q-3", "class")
        assert page.input_value("#id_q-9-text") == "无脚本新增的题目"  # everything typed is still there
        assert SurveyTemplate.objects.filter(code="ssi", tenant=world.tenants["A"]).count() == 1
        page.locator("#card-q-3").scroll_into_view_if_needed()
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, "form-error-390.png"))
        page.fill("#id_q-3-scale_max", "10")
        page.click("button.primary[value=save]")
        new = SurveyTemplate.objects.get(code="ssi", tenant=world.tenants["A"], is_current=True)
        assert new.version == 2 and [q["code"] for q in new.questions][1:3] == ["salesperson", "initiation"]
        assert new.questions[-1]["text"] == "无脚本新增的题目"
    finally:
        context.close()
