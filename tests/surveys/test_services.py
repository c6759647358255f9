"""Templates (versions), answer checks, responses with stored scores and the closed loop."""

import pytest
from django.core.exceptions import ValidationError

from callcenter.models import Complaint
from crm_site.scope import Scope
from surveys import selectors
from surveys.models import SurveyResponse, SurveyTemplate
from surveys.services import (
    answers_clean,
    questions_clean,
    response_open_complaint,
    response_record,
    template_update,
)

from .factories import invitation, ssi_answers, templates

pytestmark = pytest.mark.django_db


def test_every_tenant_starts_with_three_templates_and_the_survey_call_rule(world):
    from callcenter.models import FollowUpRule

    found = templates(world.tenants["A"])
    assert {t.kind for t in found.values()} == {"ssi", "csi", "dealer"}
    rule = FollowUpRule.objects.get(tenant=world.tenants["A"], code="survey_call")
    assert (rule.trigger, rule.purpose, rule.queue, rule.worked_by) == ("campaign", "survey", "survey", "call_center")


def test_a_change_makes_a_new_version_and_responses_keep_theirs(world):
    scope = Scope.system(world.tenants["A"].pk)
    ssi = templates(world.tenants["A"])["ssi"]
    first = response_record(scope=scope, invitation=invitation(ssi, world.dealers["A1"]), answers=ssi_answers(),
                            via="link")
    questions = [q for q in ssi.questions if q["code"] != "facility"]
    v2 = template_update(scope=scope, template=ssi, data={"questions": questions, "low_score_threshold": 600})
    assert v2.version == 2 and v2.is_current and v2.code == ssi.code
    ssi.refresh_from_db()
    assert not ssi.is_current
    first.refresh_from_db()
    assert first.template_id == ssi.pk
    second = response_record(scope=scope, invitation=invitation(v2, world.dealers["A1"]),
                             answers={k: v for k, v in ssi_answers().items() if k != "facility"}, via="link")
    assert second.template_id == v2.pk
    # Both versions rank together under the template's code.
    rows = selectors.indices(scope=scope, template=v2, month=first.month)
    assert rows[0]["responses"] == 2
    with pytest.raises(ValidationError):
        template_update(scope=scope, template=ssi, data={"name": "old"})
    assert SurveyTemplate.objects.filter(code="ssi", tenant=world.tenants["A"]).count() == 2


@pytest.mark.parametrize(("questions", "message"), [
    ([], "at least one"),
    ([{"code": "a", "text": "A", "type": "scale", "scale_min": 1, "scale_max": 5}], "exactly one"),
    ([{"code": "a", "text": "A", "type": "scale", "scale_min": 3, "scale_max": 3, "is_overall": True}], "scale"),
    ([{"code": "a", "text": "A", "type": "nps", "is_overall": True},
      {"code": "a", "text": "B", "type": "text"}], "twice"),
    ([{"code": "a", "text": "A", "type": "choice", "is_overall": True}], "choice"),
    ([{"code": "a", "text": "A", "type": "rating", "is_overall": True}], "type"),
])
def test_questions_are_checked(questions, message):
    with pytest.raises(ValidationError) as caught:
        questions_clean(questions)
    assert message in " ".join(caught.value.message_dict["questions"])


def test_answers_are_checked_one_by_one(world):
    ssi = templates(world.tenants["A"])["ssi"]
    with pytest.raises(ValidationError) as caught:
        answers_clean(ssi, ssi_answers(overall=11, deal=0, recommend="x", explained="maybe", nope=1) | {"facility": ""})
    errors = caught.value.message_dict
    assert set(errors) == {"overall", "deal", "recommend", "explained", "nope", "facility"}
    assert "from 1 to 10" in errors["overall"][0]
    clean = answers_clean(ssi, [{"question": k, "value": v} for k, v in ssi_answers(explained="是").items()])
    assert clean["overall"] == 8 and clean["explained"] == "是" and "comment" not in clean


def test_a_response_stores_its_scores_and_spends_the_invitation(world):
    scope = Scope.system(world.tenants["A"].pk)
    ssi = templates(world.tenants["A"])["ssi"]
    inv = invitation(ssi, world.dealers["A1"])
    response = response_record(scope=scope, invitation=inv, answers=ssi_answers(overall=10), via="link")
    # Weights: overall 2, salesperson 2, delivery 2, the others 1 (NPS weight 0): 8s are 7/9, the overall 1.
    expected = 1000 * (2 * 1 + 2 * 7 / 9 + 2 * 7 / 9 + 3 * 7 / 9) / 9
    assert response.index == pytest.approx(expected, abs=0.01)
    assert response.top_box is True and response.nps_category == "promoter"
    assert response.factors["salesperson"] == pytest.approx(777.78, abs=0.01)
    inv.refresh_from_db()
    assert inv.status == "answered" and inv.answered_at is not None
    with pytest.raises(ValidationError) as caught:
        response_record(scope=scope, invitation=inv, answers=ssi_answers(), via="link")
    assert "already answered" in caught.value.message_dict["invitation"][0]
    assert SurveyResponse.objects.count() == 1 and not Complaint.objects.exists()


def test_a_low_score_opens_exactly_one_complaint_for_the_dealer(world):
    scope = Scope.system(world.tenants["A"].pk)
    ssi = templates(world.tenants["A"])["ssi"]
    low = dict.fromkeys(ssi_answers(), 2) | {"recommend": 8, "comment": "交车太慢"}
    response = response_record(scope=scope, invitation=invitation(ssi, world.dealers["A1"]), answers=low, via="link")
    assert response.index < ssi.low_score_threshold
    complaint = Complaint.objects.get()
    assert complaint.channel == "survey" and complaint.dealer_id == world.dealers["A1"].pk
    assert complaint.customer_id == response.customer_id and "交车太慢" in complaint.description
    assert response.complaint_id == complaint.pk
    response_open_complaint(scope=scope, response=response)
    assert Complaint.objects.count() == 1


def test_a_detractor_opens_a_complaint_even_with_a_good_index(world):
    scope = Scope.system(world.tenants["A"].pk)
    ssi = templates(world.tenants["A"])["ssi"]
    response = response_record(scope=scope, invitation=invitation(ssi, world.dealers["A1"]),
                               answers=ssi_answers(recommend=6), via="link")
    assert response.index > ssi.low_score_threshold and response.nps_category == "detractor"
    assert Complaint.objects.filter(channel="survey", survey_response=response).count() == 1
