"""Helpers of the API tests: principals' clients by name, and URLs."""

from __future__ import annotations

import pytest


@pytest.fixture
def api(world):
    """A client for a principal of the shared world: api("service_advisor")."""
    return lambda name: world.principals[name].api()


@pytest.fixture
def a1(world):
    return world.dealers["A1"]


@pytest.fixture
def a2(world):
    return world.dealers["A2"]
