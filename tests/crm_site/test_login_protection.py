"""Login protection: an account locks after repeated failures and unlocks by itself; an address that fails very
often is refused; a call center of 200 agents behind one address logs in at 9:00 without being locked out."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from dealers.choices import Role
from tests.dealers.factories import TEST_PASSWORD, UserFactory

OFFICE = "10.8.0.1"


def login(username: str, password: str, address: str = OFFICE):
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/login/", {"username": username, "password": password})


@pytest.fixture
def agent(world):
    return world.principals["cc_agent"].user


def test_five_wrong_passwords_lock_the_account_not_the_others(world, agent, settings):
    for _ in range(4):
        assert login(agent.username, "wrong")[1].status_code == 200  # the form again, with its error
    assert login(agent.username, "wrong")[1].status_code == 429  # the fifth failure locks the account
    _client, locked = login(agent.username, TEST_PASSWORD)
    assert locked.status_code == 429 and "15" in locked.content.decode()
    assert login("cc_supervisor", TEST_PASSWORD)[1].status_code == 302  # same address, another account
    token = APIClient(REMOTE_ADDR=OFFICE).post("/api/v1/auth/token/", {"username": agent.username,
                                                                         "password": TEST_PASSWORD})
    assert token.status_code == 429
    cache.clear()  # the cool-off time has passed (the counts live in Redis with it)
    assert login(agent.username, TEST_PASSWORD)[1].status_code == 302


def test_a_call_center_of_200_agents_behind_one_address_logs_in_at_nine(world):
    agents = [UserFactory(username=f"agent{n:03d}", role=Role.CC_AGENT, tenant=world.tenants["A"], dealer=None)
              for n in range(200)]
    for n, user in enumerate(agents):
        if n % 10 == 0:  # some mistype their password once first
            assert login(user.username, "typo")[1].status_code == 200
        assert login(user.username, TEST_PASSWORD)[1].status_code == 302, user.username
    api = APIClient(REMOTE_ADDR=OFFICE)
    for user in agents[:60]:  # and their tools ask for tokens, more than the per-request budget of one caller
        assert api.post("/api/v1/auth/token/", {"username": user.username, "password": TEST_PASSWORD}).status_code == 201


def test_an_address_failing_too_often_is_refused_with_what_was_typed(world, agent, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    for n in range(10):
        login(f"nobody{n}", "guess", address="203.0.113.9")
    _client, refused = login(agent.username, TEST_PASSWORD, address="203.0.113.9")
    assert refused.status_code == 429 and agent.username in refused.content.decode()
    assert login(agent.username, TEST_PASSWORD, address="198.51.100.7")[1].status_code == 302
