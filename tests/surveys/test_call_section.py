"""Agents read the survey inside a follow-up call: shown on the call screen, checked, saved with 'reached' only."""

import pytest
from django.utils import timezone

from callcenter.models import FollowUpTask
from crm_site.scope import Scope
from surveys.invitations import calls_create
from surveys.models import SurveyInvitation, SurveyResponse
from tests.callcenter.queue_world import at
from tests.helpers import browser

from .factories import consent, invitation, ssi_answers, templates

pytestmark = pytest.mark.django_db

NOW = at("2026-03-02", "10:00")


@pytest.fixture
def survey_call(world, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    a1 = world.dealers["A1"]
    inv = invitation(templates(world.tenants["A"])["ssi"], a1, channel="call")
    consent(inv.customer, channel="phone")
    created = calls_create(scope=Scope.system(a1.tenant_id), rows=[(inv.pk, a1.pk, inv.customer_id, 0)],
                           on=NOW.date())
    assert created["created"] == 1
    inv.refresh_from_db()
    return inv


def _fields(answers: dict) -> dict:
    return {f"survey-{k}": v for k, v in answers.items()}


def test_an_agent_reads_the_survey_and_saves_it_with_the_outcome(world, survey_call):
    agent = browser(world, "cc_agent")
    url = agent.post("/callcenter/next/").url
    assert url.endswith(f"/{survey_call.follow_up_id}/")
    page = agent.get(url).content.decode()
    assert 'name="survey-overall"' in page and "Read each question" in page
    refused = agent.post(url, {"outcome": "reached", **_fields(ssi_answers(overall=12))})
    assert refused.status_code in (200, 400) and "from 1 to 10" in refused.content.decode()
    assert not SurveyResponse.objects.exists()
    assert FollowUpTask.objects.get(pk=survey_call.follow_up_id).status == "claimed"
    agent.post(url, {"outcome": "reached", **_fields(ssi_answers())})
    response = SurveyResponse.objects.get()
    assert response.via == "call" and response.respondent_id == world.principals["cc_agent"].user.pk
    assert response.index == pytest.approx(1000 * 7 / 9, abs=0.01)
    assert SurveyInvitation.objects.get(pk=survey_call.pk).status == "answered"
    assert FollowUpTask.objects.get(pk=survey_call.follow_up_id).status == "done"


def test_no_answer_saves_no_response(world, survey_call):
    agent = browser(world, "cc_agent")
    url = agent.post("/callcenter/next/").url
    agent.post(url, {"outcome": "no_answer", **_fields(ssi_answers())})
    assert not SurveyResponse.objects.exists()
    assert SurveyInvitation.objects.get(pk=survey_call.pk).status == "pending"
