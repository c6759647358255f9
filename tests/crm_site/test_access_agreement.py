"""One rule per permission: every door (page, API) lets in exactly the principals the app's access.py names.

Each write permission is probed through the page and the API with a request that a principal holding it gets past
the permission check (200, 302 or 400: a form or field error), and one lacking it answers 403. A new permission must
be added to DOORS (or ONE_DOOR with its reason), so the table cannot fall behind access.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from crm_site.registry import registry
from tests.callcenter.complaints.factories import open_complaint
from tests.customers.factories import CustomerFactory, LeadFactory
from tests.vehicles.factories import VehicleFactory

from ..conftest import PRINCIPALS


@dataclass(frozen=True)
class Probe:
    """A request through one door: method, a URL template over the fixture objects, and a body."""

    method: str
    url: str
    data: dict | None = None

    def send(self, client, objects: dict, *, api: bool) -> int:
        url = self.url.format(**{key: obj.pk for key, obj in objects.items()})
        kwargs = {"format": "json"} if api else {}
        response = getattr(client, self.method)(url, self.data or {}, **kwargs)
        assert response.status_code in (200, 201, 204, 302, 400, 403), (url, response.status_code, response.content)
        return response.status_code


# permission code → (page probe, API probe); every body is incomplete or harmless, so nothing is really changed.
DOORS = {
    "customers.edit": (Probe("get", "/customers/{customer}/edit/"),
                       Probe("patch", "/api/v1/customers/{customer}/", {"gender": "nonsense"})),
    "customers.consent_record": (Probe("post", "/customers/{customer}/consent/", {"channel": "nonsense"}),
                                 Probe("post", "/api/v1/customers/{customer}/consents/", {"channel": "nonsense"})),
    "customers.merge": (Probe("get", "/customers/duplicates/"),
                        Probe("post", "/api/v1/customers/{customer}/merge/", {})),
    "customers.number_reveal": (Probe("post", "/customers/{customer}/reveal/mobile/"),
                                Probe("post", "/api/v1/customers/{customer}/reveal/", {"field": "nonsense"})),
    "customers.lead_edit": (Probe("get", "/customers/leads/new/"), Probe("post", "/api/v1/leads/", {})),
    "customers.lead_assign": (Probe("post", "/customers/leads/{lead}/assign/", {"user": ""}),
                              Probe("post", "/api/v1/leads/{lead}/assign/", {})),
    "vehicles.sale_record": (Probe("get", "/vehicles/sales/new/"), Probe("post", "/api/v1/sales/", {})),
    "vehicles.visit_record": (Probe("get", "/vehicles/visits/new/"), Probe("post", "/api/v1/service-visits/", {})),
    "vehicles.catalogue_edit": (Probe("get", "/vehicles/models/new/"),
                                Probe("post", "/api/v1/vehicle-models/", {})),
    "vehicles.edit": (Probe("post", "/vehicles/{vehicle}/", {"on": "nonsense"}),
                      Probe("patch", "/api/v1/vehicles/{vehicle}/", {"mileage_km": "nonsense"})),
    "dealers.org_edit": (Probe("get", "/org/regions/new/"), Probe("post", "/api/v1/regions/", {})),
    "dealers.staff_manage": (Probe("get", "/org/users/new/"), Probe("post", "/api/v1/users/", {})),
    "dealers.api_client_manage": (Probe("get", "/org/api-clients/new/"), Probe("post", "/api/v1/api-clients/", {})),
    "customers.data_subject_rights": (Probe("get", "/customers/{customer}/data/"),
                                      Probe("post", "/api/v1/customers/{customer}/erase/", {})),
    "surveys.template_edit": (Probe("get", "/surveys/templates/new/"), Probe("post", "/api/v1/survey-templates/", {})),
    "surveys.index_view": (Probe("get", "/surveys/"), Probe("get", "/api/v1/survey-indices/")),
    "retention.view": (Probe("get", "/retention/vehicles/", {"band": "99"}),
                       Probe("get", "/api/v1/retention/metrics/", {"as_of": "nonsense"})),
    "callcenter.rule_edit": (Probe("get", "/callcenter/rules/new/"), Probe("post", "/api/v1/follow-up-rules/", {})),
    "retention.campaign_create": (Probe("get", "/retention/campaigns/new/"),
                                  Probe("post", "/api/v1/retention/campaigns/", {})),
    "callcenter.complaint_open": (Probe("get", "/callcenter/complaints/new/"),
                                  Probe("post", "/api/v1/complaints/", {})),
    "callcenter.complaint_work": (Probe("post", "/callcenter/complaints/{complaint}/note/", {"text": ""}),
                                  Probe("post", "/api/v1/complaints/{complaint}/note/", {})),
    "callcenter.complaint_confirm": (Probe("post", "/callcenter/complaints/{complaint}/confirm/", {}),
                                     Probe("post", "/api/v1/complaints/{complaint}/confirm/", {})),
    "callcenter.complaint_escalate": (Probe("post", "/callcenter/complaints/{complaint}/escalate/", {"reason": ""}),
                                      Probe("post", "/api/v1/complaints/{complaint}/escalate/", {})),
    "callcenter.queue_work": (Probe("get", "/callcenter/"),
                              Probe("post", "/api/v1/follow-ups/claim-next/", {"queue": "not a slug!"})),
    "callcenter.call_log": (Probe("get", "/callcenter/customers/{customer}/visit/"),
                            Probe("post", "/api/v1/calls/", {"direction": "outbound", "kind": "nonsense"})),
}
# Permissions with one door only, and why; each is still checked at that door below or in its own tests.
ONE_DOOR = {
    "customers.delete": "API only (DELETE); HQ deletes a customer nobody refers to",
    "vehicles.delete": "API only (DELETE)",
    "vehicles.related_record": "API only",
    "customers.export": "the export pages (tests/imports)",
    "vehicles.export": "the export pages (tests/imports)",
    "customers.lead_own": "a page only (my leads)",
    "customers.lead_board": "a page only (the pipeline)",
    "dealers.org_view": "a page only (regions)",
    "dealers.dealer_view": "a page only (dealers)",
    "dealers.personal_data_grant": "the API clients page and `personal_data` on api-clients, probed per role in "
                                   "tests/dealers/test_api_clients_and_mobiles.py; the roles page (/org/roles/), "
                                   "tests/dealers/test_role_policies.py",
    "dealers.second_factor": "a page only (my account's code app, /org/account/second-factor/), "
                             "tests/dealers/test_second_factor.py",
    "dealers.second_factor_manage": "pages only (/org/roles/ and a user's reset, /org/users/<id>/second-factor/), "
                                    "probed per role in tests/dealers/test_second_factor.py",
    "callcenter.calendar_edit": "a page only (the calendar pages; no calendar API), tests/callcenter/setup",
    "callcenter.generate": "a page only (run now, /callcenter/runs/new/); the command and beat run with the system scope",
    "callcenter.rule_view": "a read: pages answer 403; the API, like api-clients, lists no rules to non-holders",
    "callcenter.board_view": "a page only (the supervisor board); every role is probed in tests/callcenter/board",
    "callcenter.supervise": "the board's actions (release, reassign, pause a rule) need a task or rule: probed per role "
                            "in tests/callcenter/board; the API's release is the holder's door",
    "callcenter.complaint_settings": "a page only (complaint settings); "
                                     "tests/callcenter/complaints/test_settings_and_plugins.py",
    "callcenter.complaint_export": "a read: the board and export pages (tests/callcenter/complaints/test_pages.py)",
    "surveys.template_view": "a read: the template list answers 403; the API lists no templates to non-holders",
    "surveys.response_view": "a read: invitation and response pages answer 403; the API lists none to non-holders",
    "surveys.response_record": "API POST survey-responses; in the browser agents answer in the call screen "
                               "(tests/surveys/test_call_section.py)",
    "surveys.invitation_generate": "a page only (POST /surveys/invitations/); the command and beat run with the "
                                   "system scope",
    "surveys.dealer_survey_invite": "a page only (tests/surveys/test_pages.py)",
    "surveys.dealer_survey_answer": "a page only (tests/surveys/test_pages.py)",
    "surveys.signals_view": "a page only (tests/surveys/test_pages.py)",
    "retention.staff_kpi_view": "a page only (/retention/staff/), tests/retention/test_access.py",
    "retention.export": "the export links of the retention pages (tests/retention/test_pages.py)",
    "retention.settings_edit": "a page only (/retention/settings/)",
    "retention.campaign_view": "a read: the campaign pages answer 403; the API lists no campaigns to non-holders "
                               "(tests/retention/test_campaigns_pages.py, test_campaigns_api.py)",
    "retention.win_back_create": "a page only (POST /retention/dealers/<id>/call/), tests/retention/test_actions.py",
    "retention.segment_view": "a read: the segments and rules pages answer 403; the API lists none to non-holders "
                              "(tests/retention/test_segment_pages.py, test_segment_api.py)",
    "retention.segment_run": "a page only (POST /retention/segments/ and /retention/association-rules/); the "
                             "commands run with the system scope (tests/retention/test_segment_pages.py)",
    "callcenter.hotline": "the hotline page; an inbound call through POST /api/v1/calls/ by a non-holder is refused "
                          "by the service after the body is checked (tests/callcenter/test_api_followups.py)",
}
PAGE_ALLOWED = {200, 302, 400}
API_ALLOWED = {200, 201, 400}


@pytest.fixture
def objects(world):
    a1 = world.dealers["A1"]
    customer = CustomerFactory(dealer=a1)
    return {"customer": customer, "lead": LeadFactory(dealer=a1, customer=customer),
            "complaint": open_complaint(a1, customer=customer),
            "vehicle": VehicleFactory(dealer=a1, owner=customer)}


def test_every_permission_is_probed_or_explained():
    assert set(registry["permissions"]) == set(DOORS) | set(ONE_DOOR)


@pytest.mark.parametrize("code", sorted(DOORS))
@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_page_and_api_agree_with_the_permission(world, objects, code, name):
    principal = world.principals[name]
    held = registry["permissions"][code].allows(principal.scope)
    page, api = DOORS[code]
    api_status = api.send(principal.api(), objects, api=True)
    assert (api_status in API_ALLOWED) == held, (code, name, api_status)
    if principal.user is None:
        return  # API clients have no pages
    client = Client()
    client.force_login(principal.user)
    page_status = page.send(client, objects, api=False)
    assert (page_status in PAGE_ALLOWED) == held, (code, name, page_status)
