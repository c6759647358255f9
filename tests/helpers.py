"""Helpers shared by the page tests: a logged-in browser per role, htmx requests and the query counter."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def browser(world, name: str) -> Client:
    """A test client logged in as one of the world's principals."""
    client = Client()
    client.force_login(world.principals[name].user)
    return client


def htmx(client: Client, method: str, url: str, data=None):
    """A request as htmx sends it (it asks for a fragment)."""
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true")


def count_queries(client: Client, url: str) -> int:
    """How many SQL queries one GET of the page runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


DEALER_STAFF = ["dealer_manager", "sales_consultant", "service_advisor"]
HQ = ["oem_admin", "oem_analyst", "cc_supervisor", "cc_agent"]
EVERY_ROLE = [*HQ, "region_manager", *DEALER_STAFF]
