"""The survey pages for every role: ranking, a dealer's page, templates, invitations, responses, signals, 360."""


import pytest
from django.utils import timezone

from crm_site.scope import Scope
from surveys.models import SurveyInvitation, SurveyResponse, SurveyTemplate
from surveys.services import response_record
from tests.customers.factories import CustomerFactory
from tests.helpers import EVERY_ROLE, browser

from .factories import invitation, ssi_answers, templates
from .forms import form_of

pytestmark = pytest.mark.django_db

INDEX_READERS = {"oem_admin", "oem_analyst", "cc_supervisor", "region_manager", "dealer_manager"}
RESPONSE_READERS = INDEX_READERS | {"cc_agent"}


@pytest.fixture
def answered(world):
    ssi = templates(world.tenants["A"])["ssi"]
    return response_record(scope=Scope.system(world.tenants["A"].pk), invitation=invitation(ssi, world.dealers["A1"]),
                           answers=ssi_answers(), via="link")


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_the_ranking_opens_for_index_readers(world, answered, name):
    page = browser(world, name).get("/surveys/")
    assert page.status_code == (200 if name in INDEX_READERS else 403)
    if page.status_code == 200:
        body = page.content.decode()
        assert world.dealers["A1"].name in body and "chart-pair" in body and "777.8" in body


def test_the_ranking_exports_csv_and_xlsx(world, answered):
    client = browser(world, "oem_analyst")
    csv = client.get("/surveys/", {"export": "csv"})
    assert csv.status_code == 200 and "777.8" in b"".join(csv.streaming_content).decode()
    xlsx = client.get("/surveys/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


@pytest.mark.parametrize("name", ["dealer_manager", "region_manager", "oem_admin"])
def test_a_dealers_page_is_its_own_and_another_dealer_is_404(world, answered, name):
    client = browser(world, name)
    assert client.get(f"/surveys/dealers/{world.dealers['A1'].pk}/").status_code == 200
    assert client.get(f"/surveys/dealers/{world.dealers['B1'].pk}/").status_code == 404
    if name != "oem_admin":
        assert client.get(f"/surveys/dealers/{world.dealers['A2'].pk}/").status_code == 404


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_only_oem_admins_edit_templates(world, name):
    ssi = templates(world.tenants["A"])["ssi"]
    client = browser(world, name)
    assert client.get(f"/surveys/templates/{ssi.pk}/").status_code == (200 if name == "oem_admin" else 403)
    assert client.get("/surveys/templates/").status_code == (
        200 if name in {"oem_admin", "oem_analyst", "cc_supervisor", "cc_agent"} else 403)


def test_an_admin_saves_a_new_version_and_a_mistake_keeps_the_text(world):
    ssi = templates(world.tenants["A"])["ssi"]
    client = browser(world, "oem_admin")
    form = form_of(client.get(f"/surveys/templates/{ssi.pk}/")) | {
        "name": "SSI 2", "channel": "call", "invite_after_days": 5, "sample_rate": 0.4, "low_score_threshold": 650,
        "link_valid_days": 10, "is_active": "on", "action": "save"}
    saved = client.post(f"/surveys/templates/{ssi.pk}/", form)
    new = SurveyTemplate.objects.get(code="ssi", tenant=world.tenants["A"], is_current=True)
    assert saved.status_code == 302 and new.version == 2 and new.channel == "call" and new.sample_rate == 0.4
    bad = client.post(f"/surveys/templates/{new.pk}/", form | {"q-0-code": "Bad", "q-1-text": "留着"})
    assert bad.status_code == 400 and "Question 1: the code is lower-case" in bad.content.decode()
    assert "留着</textarea>" in bad.content.decode()
    assert client.post(f"/surveys/templates/{ssi.pk}/", form).status_code == 404  # old versions are not edited
    preview = client.get(f"/surveys/templates/{new.pk}/preview/")
    assert preview.status_code == 200 and 'name="overall"' in preview.content.decode()


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_invitations_show_the_link_sms_and_qr_to_those_who_see_them(world, name):
    ssi = templates(world.tenants["A"])["ssi"]
    inv = invitation(ssi, world.dealers["A1"])
    client = browser(world, name)
    assert client.get("/surveys/invitations/").status_code == (200 if name in RESPONSE_READERS else 403)
    page = client.get(f"/surveys/invitations/{inv.pk}/")
    assert page.status_code == (200 if name in RESPONSE_READERS else 403)
    if page.status_code == 200:
        body = page.content.decode()
        assert "/s/" in body and "<svg" in body and world.dealers["A1"].name in body


def test_supervisors_generate_invitations_from_the_page(world):
    templates(world.tenants["A"])
    client = browser(world, "cc_supervisor")
    assert client.post("/surveys/invitations/", {"date": "2026-03-10"}).status_code == 302
    assert browser(world, "cc_agent").post("/surveys/invitations/", {"date": "2026-03-10"}).status_code == 403


def test_the_response_is_on_the_customer_360(world, answered):
    page = browser(world, "cc_agent").get(f"/customers/{answered.customer_id}/")
    assert page.status_code == 200 and f"/surveys/responses/{answered.pk}/" in page.content.decode()
    detail = browser(world, "dealer_manager").get(f"/surveys/responses/{answered.pk}/")
    assert detail.status_code == 200
    assert browser(world, "oem_admin").get("/surveys/responses/999999/").status_code == 404


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_gaming_signals_are_hqs(world, name):
    assert browser(world, name).get("/surveys/signals/").status_code == (
        200 if name in {"oem_admin", "oem_analyst", "cc_supervisor"} else 403)


def test_gaming_signals_list_staff_phones_all_maximum_and_shared_addresses(world):
    from dealers.models import User

    ssi = templates(world.tenants["A"])["ssi"]
    a1, scope = world.dealers["A1"], Scope.system(world.tenants["A"].pk)
    staff = User.objects.filter(dealer=a1).first()
    User.objects.filter(pk=staff.pk).update(mobile="+8613900000001")
    own = CustomerFactory(dealer=a1, mobile="+8613900000001")
    response_record(scope=scope, invitation=invitation(ssi, a1, customer=own), answers=ssi_answers(), via="link")
    best = dict.fromkeys(ssi_answers(), 10)
    for _n in range(6):
        response_record(scope=scope, invitation=invitation(ssi, a1, staff=staff), answers=best, via="link")
    for _n in range(6):
        response_record(scope=scope, invitation=invitation(ssi, world.dealers["A2"]), answers=ssi_answers(), via="link")
    from django.test import Client

    for _n in range(5):
        Client().get(f"/s/{__import__('surveys.links', fromlist=['x']).token_for(invitation(ssi, a1))}/",
                     REMOTE_ADDR="192.168.8.8")
    body = browser(world, "oem_analyst").get("/surveys/signals/").content.decode()
    assert staff.username in body and "192.168.8.8" in body and "100%" in body


def test_hq_invites_managers_who_answer_logged_in_and_hq_reads_by_region(world):
    dealer_tpl = templates(world.tenants["A"])["dealer"]
    hq = browser(world, "oem_admin")
    assert hq.post("/surveys/dealer-survey/", {"template": dealer_tpl.pk, "period": "2026-11"}).status_code == 302
    manager = world.principals["dealer_manager"].user
    inv = SurveyInvitation.objects.get(invitee=manager)
    assert browser(world, "sales_consultant").get(f"/surveys/dealer-survey/{inv.pk}/").status_code == 403
    client = browser(world, "dealer_manager")
    assert f"/surveys/dealer-survey/{inv.pk}/" in client.get("/surveys/dealer-survey/").content.decode()
    bad = client.post(f"/surveys/dealer-survey/{inv.pk}/", {"overall": "9"})
    assert bad.status_code == 400 and "from 1 to 5" in bad.content.decode()
    answers = {"overall": "4", "sales_support": "3", "parts": "5", "training": "4", "communication": "2"}
    assert client.post(f"/surveys/dealer-survey/{inv.pk}/", answers).status_code == 302
    response = SurveyResponse.objects.get(invitation=inv)
    assert response.respondent_id == manager.pk and response.via == "staff" and response.complaint_id is None
    results = hq.get("/surveys/dealer-survey/", {"period": "2026-11"}).content.decode()
    assert world.dealers["A1"].region.name in results and "1 of" in results
    # The store's staff do not read their manager's answers.
    assert not SurveyResponse.objects.scoped(world.principals["sales_consultant"].scope).exists()
    assert timezone.now()


@pytest.mark.parametrize("name", EVERY_ROLE)
def test_the_home_widget_shows_this_months_index_to_index_readers(world, answered, name):
    page = browser(world, name).get("/")
    widget = next((w for w in page.context["widgets"] if w["code"] == "satisfaction"), None)
    assert (widget is not None) == (name in INDEX_READERS)
    if widget is None:
        return
    ssi = next(row for row in widget["rows"] if row["template"].kind == "ssi")
    assert ssi["this"]["index"] == 777.8 and ssi["this"]["responses"] == 1
    if name == "dealer_manager":
        assert ssi["rank"] == {"rank": 1, "of": 1}
    assert "777.8" in page.content.decode()


def test_the_home_widget_of_another_dealer_counts_none_of_ours(world, answered):
    from django.test import Client

    from tests.dealers.factories import UserFactory

    a2 = world.dealers["A2"]
    client = Client()
    client.force_login(UserFactory(tenant=a2.tenant, dealer=a2, role="dealer_manager"))
    widget = next(w for w in client.get("/").context["widgets"] if w["code"] == "satisfaction")
    ssi = next(row for row in widget["rows"] if row["template"].kind == "ssi")
    assert ssi["this"]["responses"] == 0 and ssi["rank"] is None
