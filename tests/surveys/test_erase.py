"""Erasing a person drops their free-text survey answers and keeps the scores and the indices."""

import pytest

from crm_site.scope import Scope
from customers.data_subject import customer_erase
from surveys.models import SurveyMonthly
from surveys.services import response_record

from .factories import invitation, ssi_answers, templates

pytestmark = pytest.mark.django_db


def test_erase_drops_text_answers_and_keeps_scores(world):
    scope = Scope.system(world.tenants["A"].pk)
    ssi = templates(world.tenants["A"])["ssi"]
    assert any(q["code"] == "comment" and q["type"] == "text" for q in ssi.questions)
    response = response_record(scope=scope, invitation=invitation(ssi, world.dealers["A1"]),
                               answers=ssi_answers(comment="我是朝阳区的王先生"), via="link")
    request = customer_erase(scope=scope, customer=response.customer, reason="客户来电要求")
    assert request.detail["cleared"]["survey_text_answers"] == 1
    response.refresh_from_db()
    assert "comment" not in response.answers and response.answers["overall"] == 8 and response.index is not None
    monthly = SurveyMonthly.objects.get(tenant_id=scope.tenant_id, month=response.month, dealer=response.dealer)
    assert monthly.responses == 1 and monthly.index_sum == pytest.approx(response.index)
