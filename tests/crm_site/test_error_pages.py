"""Error pages: styled, in the user's language, with a way back, never a technical hint; JSON under /api/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import translation

from crm_site.api.errors import api_bad_request, api_server_error
from crm_site.middleware import MAX_QUERY_STRING
from tests.helpers import browser

EN = {"accept-language": "en"}


def in_chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def assert_styled(content: str) -> None:
    assert "<html" in content and 'href="/"' in content  # the site's layout, and a way back home
    assert "DEBUG" not in content and "Traceback" not in content


def test_a_browser_404_is_the_styled_page_in_the_users_language(world):
    client = browser(world, "sales_consultant")
    english = client.get("/no-such-page/", headers=EN)
    assert english.status_code == 404 and "Not found" in english.content.decode()
    assert_styled(english.content.decode())
    chinese = client.get("/no-such-page/").content.decode()
    assert in_chinese("Not found") in chinese and "Not found" not in chinese.replace("not-found", "")


def test_an_api_404_stays_json(world):
    response = world.principals["sales_consultant"].api().get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_403_page_is_styled_with_a_way_back(world):
    response = browser(world, "sales_consultant").get("/org/api-clients/", headers=EN)
    assert response.status_code == 403
    assert_styled(response.content.decode())


@pytest.mark.parametrize(("handler", "status"), [(api_server_error, 500), (api_bad_request, 400)])
def test_500_and_400_pages_are_styled_and_in_the_users_language(db, handler, status):
    request = RequestFactory().get("/customers/")
    request.user = AnonymousUser()
    with translation.override("en"):
        response = handler(request)
    content = response.content.decode()
    assert response.status_code == status and "<html" in content and "DEBUG" not in content
    api = RequestFactory().get("/api/v1/customers/")
    assert handler(api)["Content-Type"] == "application/json"


def test_an_over_long_query_string_gets_a_clear_400_page(world):
    client = browser(world, "sales_consultant")
    response = client.get("/customers/", {"q": "x" * (MAX_QUERY_STRING + 1)}, headers=EN)
    content = response.content.decode()
    assert response.status_code == 400 and "too long" in content and "2000" in content
    assert_styled(content)
    assert client.get("/customers/", {"q": "x" * 500}).status_code == 200


def test_an_over_long_api_query_string_is_a_json_400(world):
    response = world.principals["sales_consultant"].api().get("/api/v1/customers/", {"q": "x" * 3000})
    assert response.status_code == 400 and response.json()["code"] == "query_too_long"


def test_a_csrf_failure_shows_what_was_typed_in_a_form_to_send_again(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.principals["oem_admin"].user)
    response = client.post("/org/regions/new/", {"code": "HX", "name": "华西", "password": "secret-1"},
                           headers={**EN, "referer": "http://testserver/org/regions/new/"})
    content = response.content.decode()
    assert response.status_code == 403
    assert_styled(content)
    assert 'action="/org/regions/new/"' in content and 'name="csrfmiddlewaretoken"' in content
    assert ">华西</textarea>" in content and 'name="code"' in content
    assert "secret-1" not in content  # passwords are never written back
    token = content.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    again = client.post("/org/regions/new/", {"code": "HX", "name": "华西", "csrfmiddlewaretoken": token})
    assert again.status_code == 302


def test_a_csrf_failure_from_another_site_offers_nothing_to_resend(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.principals["oem_admin"].user)
    response = client.post("/org/regions/new/", {"code": "EV", "name": "evil"},
                           headers={**EN, "referer": "https://evil.example/"})
    content = response.content.decode()
    assert response.status_code == 403 and "evil" not in content and "<form method=\"post\" action=\"/org" not in content


def test_a_csrf_failure_in_chinese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.principals["oem_admin"].user)
    response = client.post("/org/regions/new/", {"code": "HX"})
    assert response.status_code == 403 and '<html lang="zh-hans"' in response.content.decode()
