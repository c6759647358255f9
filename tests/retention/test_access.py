"""The retention permissions agree at every door: pages and API let in exactly the roles retention/access.py names."""

from __future__ import annotations

import pytest
from django.test import Client

from crm_site.registry import registry
from tests.conftest import PRINCIPALS

pytestmark = pytest.mark.django_db

# (page URL, page query, API URL, API query): bad input, so a holder gets 400 and nothing is read.
VIEW_DOORS = ("/retention/vehicles/", {"band": "99"}, "/api/v1/retention/metrics/", {"as_of": "nonsense"})


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_retention_view_page_and_api_agree(world, name):
    principal = world.principals[name]
    held = registry["permissions"]["retention.view"].allows(principal.scope)
    page, page_query, api, api_query = VIEW_DOORS
    assert principal.api().get(api, api_query).status_code == (400 if held else 403)
    if principal.user is None:
        return
    client = Client()
    client.force_login(principal.user)
    assert client.get(page, page_query).status_code == (400 if held else 403)


@pytest.mark.parametrize("name", sorted(n for n, p in PRINCIPALS.items() if p[0] != "api_client"))
@pytest.mark.parametrize(("code", "method", "url"), [
    ("retention.staff_kpi_view", "get", "/retention/staff/?month=nonsense"),
    ("retention.settings_edit", "post", "/retention/settings/"),
    ("retention.win_back_create", "post", "/retention/dealers/{A1}/call/"),
])
def test_page_only_permissions_let_in_their_roles(world, name, code, method, url):
    client = Client()
    client.force_login(world.principals[name].user)
    held = registry["permissions"][code].allows(world.principals[name].scope)
    status = getattr(client, method)(url.format(A1=world.dealers["A1"].pk), {}).status_code
    assert (status in (200, 302, 400, 404)) == held, (code, name, status)
    assert status != 403 if held else status == 403
