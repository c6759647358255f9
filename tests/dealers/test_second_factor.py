"""The second factor: enrolment with a QR code and recovery codes, the code at login, the limit on wrong codes, the
tenant's requirement per role, HQ's reset, the token endpoint with `otp`, and every other login unchanged."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from crm_site.models import AuditEvent
from dealers import second_factor
from dealers.choices import Role
from dealers.services import role_policy_update
from tests.dealers.factories import TEST_PASSWORD, UserFactory
from tests.helpers import EVERY_ROLE, browser

CODE_PAGE = "/org/account/code/"
ENROL = "/org/account/second-factor/"


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows (`steps_ahead` later: a step already used at login is refused as a replay)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def log_in(username: str, password: str = TEST_PASSWORD) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR="10.8.0.1")
    return client, client.post("/login/", {"username": username, "password": password})


def enrolled(user) -> TOTPDevice:
    """A user with a confirmed code app and ten recovery codes, as if set up on the account page."""
    device = TOTPDevice.objects.create(user=user, name="code app", confirmed=True)
    second_factor.recovery_codes_issue(user=user, reason="enrol")
    return device


def actions(user) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="dealers.user", object_id=str(user.pk),
                                          action__startswith="second_factor.").order_by("id")
                .values_list("action", flat=True))


@pytest.fixture
def agent(world):
    return world.principals["cc_agent"].user


# Enrolment, confirmation and login with a code

def test_an_agent_enrols_confirms_and_then_logs_in_with_a_code(world, agent):
    client, response = log_in(agent.username)
    assert response.status_code == 302 and client.get("/").status_code == 200  # no second factor yet: unchanged
    account = client.get("/org/account/").content.decode()
    assert f'action="{ENROL}"' in account
    assert client.post(ENROL).status_code == 302
    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert "<svg" in page and "otpauth" not in page.split("<svg")[0]  # the QR code is drawn in the page
    from base64 import b32decode

    assert b32decode(secret) == device.bin_key  # the key typed by hand is the one the QR code holds
    wrong = client.post(ENROL, {"code": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    shown = client.post(ENROL, {"code": code_of(device)})
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown.content.decode())
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=agent).count() == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/").status_code == 200  # this session is verified by the code just typed
    assert actions(agent) == ["second_factor.enrol", "second_factor.confirm"]

    later, response = log_in(agent.username)
    assert response.status_code == 302
    held = later.get("/customers/")
    assert held.status_code == 302 and held["Location"] == f"{CODE_PAGE}?next=%2Fcustomers%2F"
    passed = later.post(CODE_PAGE, {"code": code_of(device, steps_ahead=1), "next": "/customers/"})
    assert passed.status_code == 302 and passed["Location"] == "/customers/"
    assert later.get("/customers/").status_code == 200


def test_an_unverified_session_reaches_only_the_code_page_and_logging_out(world, agent):
    enrolled(agent)
    client, _response = log_in(agent.username)
    for url in ("/", "/customers/", "/org/account/", "/callcenter/", "/notifications/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE), url
    api = client.get("/api/v1/customers/")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    page = client.get(CODE_PAGE)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    assert 'inputmode="numeric"' in page.content.decode()
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302  # logged out: the login page now


def test_a_wrong_code_keeps_the_session_unverified(world, agent):
    device = enrolled(agent)
    client, _response = log_in(agent.username)
    wrong = client.post(CODE_PAGE, {"code": "12345" + ("0" if not code_of(device).endswith("0") else "1")})
    assert wrong.status_code == 200 and "4" in wrong.content.decode()  # the form again, with the tries left
    assert client.get("/").status_code == 302
    assert client.post(CODE_PAGE, {"code": code_of(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_five_wrong_codes_lock_the_code_with_a_clear_message_until_the_window_passes(world, agent, settings):
    device = enrolled(agent)
    client, _response = log_in(agent.username)
    right = code_of(device)
    wrong = "000000" if right != "000000" else "999999"
    for _ in range(4):
        assert client.post(CODE_PAGE, {"code": wrong}).status_code == 200
    locked = client.post(CODE_PAGE, {"code": wrong})
    assert locked.status_code == 429 and "15" in locked.content.decode()
    refused = client.post(CODE_PAGE, {"code": right})  # even the right code, while locked
    assert refused.status_code == 429 and client.get("/").status_code == 302
    assert "second_factor.locked" in actions(agent)
    # Another user is not affected by this user's lock.
    other = enrolled(world.principals["cc_supervisor"].user)
    other_client, _response = log_in("cc_supervisor")
    assert other_client.post(CODE_PAGE, {"code": code_of(other)}).status_code == 302
    cache.delete(f"otp-fail:{agent.pk}")  # the 15 minutes have passed (the count lives in Redis with its expiry)
    assert client.post(CODE_PAGE, {"code": right}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_recovery_code_logs_in_once_and_is_audited(world, agent):
    enrolled(agent)
    codes = list(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True))
    client, _response = log_in(agent.username)
    assert 'name="recovery"' in client.get(f"{CODE_PAGE}?recovery=1").content.decode()
    used = client.post(CODE_PAGE, {"code": codes[0].upper(), "recovery": "1"})  # as typed from paper
    assert used.status_code == 302 and client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=agent).count() == 9
    event = AuditEvent.objects.get(action="second_factor.recovery_code_used", object_id=str(agent.pk))
    assert event.detail == {"recovery_codes_left": 9} and event.actor_user_id == agent.pk
    again, _response = log_in(agent.username)
    assert again.post(CODE_PAGE, {"code": codes[0], "recovery": "1"}).status_code == 200  # used up
    assert again.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(world, agent):
    device = enrolled(agent)
    old = set(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True))
    client, _response = log_in(agent.username)
    client.post(CODE_PAGE, {"code": code_of(device)})
    shown = client.post("/org/account/second-factor/recovery-codes/").content.decode()
    new = set(re.findall(r"<li><code>([a-z2-7]+)</code></li>", shown))
    assert len(new) == 10 and not new & old
    assert set(StaticToken.objects.filter(device__user=agent).values_list("token", flat=True)) == new
    assert StaticDevice.objects.filter(user=agent).count() == 1
    assert "second_factor.recovery_codes" in actions(agent)


# The tenant's requirement per role

def test_a_role_the_tenant_requires_it_for_is_sent_to_enrol_at_the_next_login(world, agent):
    admin_scope = world.principals["oem_admin"].scope
    role_policy_update(scope=admin_scope, role=Role.CC_AGENT, full_mobiles=True, second_factor_required=True)
    client, _response = log_in(agent.username)
    held = client.get("/customers/")
    assert held.status_code == 302 and held["Location"] == "/org/account/?next=%2Fcustomers%2F"
    account = client.get(held["Location"]).content.decode()
    assert "requires a second factor" in account or "要求" in account
    assert "/org/account/second-factor/off/" not in account
    client.post(ENROL, {"next": "/customers/"})
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    shown = client.post(ENROL, {"code": code_of(device), "next": "/customers/"})
    assert shown.status_code == 200 and 'href="/customers/"' in shown.content.decode()
    assert client.get("/customers/").status_code == 200
    # A required code app cannot be turned off by its user.
    client.post("/org/account/second-factor/off/")
    assert TOTPDevice.objects.filter(user=agent, confirmed=True).exists()
    # The supervisor's role is not required: their login is unchanged.
    supervisor, _response = log_in("cc_supervisor")
    assert supervisor.get("/customers/").status_code == 200
    # The API token of a required role without a code app: set it up in the browser first.
    new_agent = UserFactory(username="agent2", role=Role.CC_AGENT, tenant=world.tenants["A"], dealer=None)
    refused = APIClient().post("/api/v1/auth/token/", {"username": new_agent.username, "password": TEST_PASSWORD})
    assert refused.status_code == 403 and "otp" in refused.json()["detail"]


def test_a_user_turns_off_a_code_app_the_tenant_does_not_require(world, agent):
    device = enrolled(agent)
    client, _response = log_in(agent.username)
    client.post(CODE_PAGE, {"code": code_of(device)})
    assert client.post("/org/account/second-factor/off/").status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists() and not StaticDevice.objects.filter(user=agent).exists()
    assert "second_factor.turn_off" in actions(agent)
    assert log_in(agent.username)[0].get("/").status_code == 200


@pytest.mark.parametrize("name", ["dealer_manager", "sales_consultant", "service_advisor", "region_manager"])
def test_other_roles_are_not_offered_a_code_app_and_log_in_as_before(world, name):
    client, response = log_in(name)
    assert response.status_code == 302 and client.get("/").status_code == 200
    assert second_factor.SESSION_KEY not in client.session
    assert ENROL not in client.get("/org/account/").content.decode()
    assert client.post(ENROL).status_code == 403
    token = APIClient().post("/api/v1/auth/token/", {"username": name, "password": TEST_PASSWORD})
    assert token.status_code == 201


# HQ's reset

def test_hq_resets_a_lost_phone_after_a_confirmation_and_it_is_audited(world, agent):
    device = enrolled(agent)
    agent_client, _response = log_in(agent.username)
    agent_client.post(CODE_PAGE, {"code": code_of(device)})
    admin = browser(world, "oem_admin")
    listing = admin.get("/org/users/").content.decode()
    url = f"/org/users/{agent.pk}/second-factor/"
    assert f'href="{url}"' in listing
    confirm = admin.get(url)
    assert confirm.status_code == 200 and agent.username in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=agent).exists()  # the confirmation page changes nothing
    assert admin.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists() and not StaticDevice.objects.filter(user=agent).exists()
    event = AuditEvent.objects.get(action="second_factor.reset", object_id=str(agent.pk))
    assert event.actor_user_id == world.principals["oem_admin"].user.pk
    # The agent's session held the old code app: it is not verified any more, and without a requirement goes on.
    assert agent_client.get("/").status_code == 302
    assert agent_client.get(CODE_PAGE).status_code == 302
    assert agent_client.get("/").status_code == 200


@pytest.mark.parametrize("name", sorted(set(EVERY_ROLE) - {"oem_admin"}))
def test_only_hq_resets_a_code_app_or_decides_for_roles(world, name):
    target = UserFactory(username="agent-lost-phone", role=Role.CC_AGENT, tenant=world.tenants["A"], dealer=None)
    enrolled(target)
    client = browser(world, name)
    assert client.get(f"/org/users/{target.pk}/second-factor/").status_code == 403
    assert client.post(f"/org/users/{target.pk}/second-factor/").status_code == 403
    assert client.get("/org/roles/").status_code == 403
    assert client.post("/org/roles/", {f"full_mobiles-{Role.OEM_ANALYST}": "1"}).status_code == 403
    assert TOTPDevice.objects.filter(user=target).exists()


def test_an_admin_of_another_tenant_cannot_reset_this_tenants_users(world, agent):
    enrolled(agent)
    other_admin = UserFactory(username="b-admin", role=Role.OEM_ADMIN, tenant=world.tenants["B"], dealer=None)
    client = Client()
    client.force_login(other_admin)
    assert client.get(f"/org/users/{agent.pk}/second-factor/").status_code == 404
    assert client.post(f"/org/users/{agent.pk}/second-factor/").status_code == 404
    assert TOTPDevice.objects.filter(user=agent).exists()


# The API token endpoint

def test_the_token_endpoint_asks_a_user_with_a_code_app_for_otp(world, agent):
    device = enrolled(agent)
    api = APIClient(REMOTE_ADDR="10.8.0.1")
    url = "/api/v1/auth/token/"
    missing = api.post(url, {"username": agent.username, "password": TEST_PASSWORD})
    assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
    assert "otp" in missing.json()["detail"]
    wrong = api.post(url, {"username": agent.username, "password": TEST_PASSWORD,
                           "otp": "000000" if code_of(device) != "000000" else "111111"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "otp_invalid"
    bad_password = api.post(url, {"username": agent.username, "password": "wrong", "otp": code_of(device)})
    assert bad_password.status_code == 401 and bad_password.json()["code"] == "authentication_failed"
    issued = api.post(url, {"username": agent.username, "password": TEST_PASSWORD, "otp": code_of(device)})
    assert issued.status_code == 201 and issued.json()["token"].startswith("crmu_")
    assert api.post(url, {"username": agent.username, "password": TEST_PASSWORD, "otp": "1",
                          "scopes": "all"}).status_code == 400  # unknown fields are still refused
    # API clients (DMS tokens) are unaffected by anyone's second factor.
    dms = world.principals["client_dealer_write"].api()
    assert dms.get("/api/v1/customers/").status_code == 200


def test_wrong_otp_at_the_token_endpoint_counts_towards_the_same_lock(world, agent):
    device = enrolled(agent)
    api = APIClient()
    wrong = "000000" if code_of(device) != "000000" else "111111"

    def ask(code: str):
        return api.post("/api/v1/auth/token/", {"username": agent.username, "password": TEST_PASSWORD, "otp": code})

    for _ in range(4):
        assert ask(wrong).status_code == 401
    assert ask(wrong).status_code == 429  # the fifth wrong code locks
    refused = ask(code_of(device))
    assert refused.status_code == 429 and "15" in refused.json()["detail"]
    browser_client, _response = log_in(agent.username)  # the browser's code page shares the lock
    assert browser_client.post(CODE_PAGE, {"code": code_of(device)}).status_code == 429
    cache.delete(f"otp-fail:{agent.pk}")
    assert ask(code_of(device)).status_code == 201


def test_password_failures_are_still_counted_by_axes_for_a_user_with_a_code_app(world, agent):
    enrolled(agent)
    for _ in range(4):
        assert log_in(agent.username, "wrong")[1].status_code == 200
    assert log_in(agent.username, "wrong")[1].status_code == 429
    assert log_in(agent.username)[1].status_code == 429
