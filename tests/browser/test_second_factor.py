"""In a real headless Chromium at a phone's width: an agent sets up a code app from the QR page, keeps the recovery
codes, logs out and logs in again with password and code; no page breaks under the Content-Security-Policy."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.dealers.factories import TEST_PASSWORD

from ..conftest import build_world
from .conftest import log_in

SHOTS = "/tmp/shots"


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def fits(page) -> bool:
    width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return width[0] <= width[1]


@pytest.mark.django_db(transaction=True)
def test_an_agent_sets_up_a_code_app_and_logs_in_with_it_on_a_phone(phone):
    world = build_world()
    agent = world.principals["cc_agent"].user
    violations = []
    phone.on("console", lambda message: violations.append(message.text)
             if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    log_in(phone, "cc_agent", TEST_PASSWORD)
    phone.goto(f"{phone.base_url}/org/account/")
    phone.click("#second-factor button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith("/org/account/second-factor/")
    assert phone.locator("#otp-qr svg").count() == 1 and fits(phone)
    policy = phone.evaluate("() => document.querySelector('#otp-qr svg') !== null")
    assert policy
    phone.screenshot(path=f"{SHOTS}/otp-enrol.png", full_page=True)
    secret = phone.inner_text("#otp-secret").replace(" ", "")
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    from base64 import b32encode

    assert secret == b32encode(device.bin_key).decode()
    phone.fill("input[name=code]", code_of(device))
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    codes = phone.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c.strip()) for c in codes) and fits(phone)
    phone.screenshot(path=f"{SHOTS}/otp-recovery-codes.png", full_page=True)
    phone.click("a.button.primary")
    phone.wait_for_load_state("networkidle")

    # Log out, then in again: the password alone leads to the code page, the code to the page asked for.
    phone.click("header form[action='/logout/'] button")
    phone.wait_for_load_state("networkidle")
    phone.goto(f"{phone.base_url}/login/?next=/customers/")
    phone.fill("input[name=username]", "cc_agent")
    phone.fill("input[name=password]", TEST_PASSWORD)
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    assert "/org/account/code/" in phone.url
    response = phone.goto(phone.url)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self';" in policy and fits(phone)
    assert phone.get_attribute("input[name=code]", "inputmode") == "numeric"
    phone.fill("input[name=code]", "000000" if code_of(device, 1) != "000000" else "111111")
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".errors").count() >= 1
    phone.screenshot(path=f"{SHOTS}/otp-code-wrong.png", full_page=True)
    phone.fill("input[name=code]", code_of(TOTPDevice.objects.get(pk=device.pk), steps_ahead=1))
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state("networkidle")
    assert phone.url.endswith("/customers/")
    phone.screenshot(path=f"{SHOTS}/otp-logged-in.png", full_page=True)
    assert violations == []
