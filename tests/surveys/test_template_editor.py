"""The survey template editor: one card per question over the same service, without the script; preview unsaved."""

from __future__ import annotations

import json

import pytest

from crm_site.models import AuditEvent
from surveys.models import SurveyTemplate
from surveys.services import questions_clean
from tests.helpers import EVERY_ROLE, browser, count_queries

from .factories import templates
from .forms import form_of

pytestmark = pytest.mark.django_db


def card(response, prefix: str) -> str:
    """The HTML of one question card of a page."""
    body = response.content.decode()
    start = body.rindex("<fieldset", 0, body.index(f'id="card-{prefix}"'))
    return body[start:body.index("</fieldset>", start)]


@pytest.fixture
def ssi(world):
    return templates(world.tenants["A"])["ssi"]


@pytest.fixture
def admin(world):
    return browser(world, "oem_admin")


def current(world, code="ssi") -> SurveyTemplate:
    return SurveyTemplate.objects.get(tenant=world.tenants["A"], code=code, is_current=True)


def test_the_editor_shows_the_current_questions_one_card_each(admin, ssi):
    page = admin.get(f"/surveys/templates/{ssi.pk}/")
    assert page.status_code == 200
    data = form_of(page)
    assert data["q-TOTAL_FORMS"] == [str(len(ssi.questions))]
    for index, question in enumerate(ssi.questions):
        assert data[f"q-{index}-code"] == [question["code"]] and data[f"q-{index}-text"] == [question["text"]]
        assert data[f"q-{index}-type"] == [question["type"]]
    assert data["overall"] == ["q-0"]  # the one overall question's radio button
    assert data["q-6-choices"] == ["是\n否"] and data["q-2-weight"] == ["2"]
    assert "q-8-required" not in data  # the comment is optional
    body = page.content.decode()
    assert '<datalist id="survey-factors">' in body and '<option value="salesperson">' in body
    assert "survey_editor.js" in body and "<script>" not in body  # the behaviour is a static file (CSP)


def test_saving_unchanged_cards_keeps_the_questions_in_a_new_version(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    assert admin.post(f"/surveys/templates/{ssi.pk}/", data | {"action": "save"}).status_code == 302
    new = current(world)
    assert new.version == 2 and new.questions == questions_clean(ssi.questions)


def test_saving_a_changed_question_makes_a_new_version_with_that_change(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    data |= {"q-2-text": ["销售顾问是否专业、诚信？"], "q-2-weight": ["3"], "q-3-factor": ["price"],
             "name": ["SSI 2026"], "action": ["save"]}
    saved = admin.post(f"/surveys/templates/{ssi.pk}/", data)
    new = current(world)
    assert saved.status_code == 302 and saved["Location"] == f"/surveys/templates/{new.pk}/"
    assert new.version == 2 and new.name == "SSI 2026"
    assert new.questions[2]["text"] == "销售顾问是否专业、诚信？" and new.questions[2]["weight"] == 3
    assert new.questions[3]["factor"] == "price" and new.questions[0] == questions_clean(ssi.questions)[0]
    ssi.refresh_from_db()
    assert not ssi.is_current and ssi.questions[2]["text"] == "销售顾问的专业程度和诚信如何？"  # responses keep theirs
    assert "Saved as version 2" in admin.get(saved["Location"]).content.decode()


def test_adding_a_question_without_the_script_keeps_what_was_typed(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    data |= {"q-1-text": ["改过但没保存"], "name": ["typed name"]}
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data | {"action": "add"})
    assert page.status_code == 200 and current(world).version == 1  # nothing saved
    again = form_of(page)
    assert again["q-TOTAL_FORMS"] == ["10"] and again["q-1-text"] == ["改过但没保存"]
    assert again["name"] == ["typed name"] and again["q-9-code"] == [""] and again["q-9-type"] == ["scale"]
    assert "autofocus" in card(page, "q-9") and "errors" not in card(page, "q-9")
    again |= {"q-9-code": ["waiting"], "q-9-text": ["等待时间是否可以接受？"], "q-9-factor": ["delivery_process"],
              "q-9-scale_min": ["1"], "q-9-scale_max": ["10"], "action": ["save"]}
    assert admin.post(f"/surveys/templates/{ssi.pk}/", again).status_code == 302
    new = current(world)
    assert [q["code"] for q in new.questions][-1] == "waiting" and new.questions[1]["text"] == "改过但没保存"
    assert new.questions[-1]["scale_max"] == 10 and len(new.questions) == 10


def test_a_blank_added_card_is_not_a_question(world, admin, ssi):
    data = form_of(admin.post(f"/surveys/templates/{ssi.pk}/",
                              form_of(admin.get(f"/surveys/templates/{ssi.pk}/")) | {"action": "add"}))
    assert admin.post(f"/surveys/templates/{ssi.pk}/", data | {"action": "save"}).status_code == 302
    assert len(current(world).questions) == 9


def test_deleting_and_moving_questions(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data | {"move": "q-2:up"})
    moved = form_of(page)
    assert page.status_code == 200 and moved["q-1-code"] == ["salesperson"] and moved["q-2-code"] == ["initiation"]
    assert "autofocus" in card(page, "q-1").split("data-move=\"up\"")[1].split(">")[0]
    moved |= {"q-6-DELETE": ["on"], "action": ["save"]}  # the choice question "explained"
    assert admin.post(f"/surveys/templates/{ssi.pk}/", moved).status_code == 302
    codes = [q["code"] for q in current(world).questions]
    assert codes == ["overall", "salesperson", "initiation", "deal", "facility", "delivery", "recommend", "comment"]


def test_the_order_fields_sent_by_the_script_decide_the_order(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    data |= {"q-0-ORDER": ["2"], "q-1-ORDER": ["1"], "action": ["save"]}
    assert admin.post(f"/surveys/templates/{ssi.pk}/", data).status_code == 302
    assert [q["code"] for q in current(world).questions][:2] == ["initiation", "overall"]


@pytest.mark.parametrize("change, prefix, message", [
    ({"q-3-scale_min": ["5"], "q-3-scale_max": ["5"]}, "q-3",
     "Question 4: the scale runs between two different whole numbers"),
    ({"q-6-choices": ["\n  \n"]}, "q-6", "Question 7: a choice question lists 1 to 20 choices."),
    ({"q-4-code": ["Bad Code"]}, "q-4", "Question 5: the code is lower-case letters"),
    ({"q-5-code": ["overall"]}, "q-5", "Question 6: the code overall is used twice."),
    ({"q-2-text": [""]}, "q-2", "Question 3: the text is required."),
    ({"overall": ["q-8"]}, "q-8", "Question 9: the overall question is a scale or NPS question."),
    ({"q-1-weight": ["500"]}, "q-1", "Question 2: the weight is a number from 0 to 100."),
])
def test_a_wrong_question_is_named_on_its_card_and_everything_typed_stays(world, admin, ssi, change, prefix,
                                                                          message):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/")) | {"q-0-text": ["我改了这一题"], "name": ["still here"]}
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data | change | {"action": "save"})
    assert page.status_code == 400 and current(world).version == 1
    assert message in card(page, prefix) and 'class="q-card has-error"' in card(page, prefix)
    assert f'href="#card-{prefix}"' in page.content.decode()  # and in the summary above the cards
    kept = form_of(page)
    assert kept["q-0-text"] == ["我改了这一题"] and kept["name"] == ["still here"]
    assert all(kept[name] == value for name, value in change.items())


def test_two_overall_questions_and_none_are_refused(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    two = admin.post(f"/surveys/templates/{ssi.pk}/", data | {"overall": ["q-0", "q-2"], "action": "save"})
    assert two.status_code == 400 and "Mark exactly one question as the overall" in two.content.decode()
    none = {key: value for key, value in data.items() if key != "overall"}
    assert admin.post(f"/surveys/templates/{ssi.pk}/", none | {"action": "save"}).status_code == 400
    assert current(world).version == 1


def test_a_bad_setting_and_a_bad_question_are_shown_together(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data | {"sample_rate": "7", "q-2-text": "", "action": "save"})
    body = page.content.decode()
    assert page.status_code == 400 and "Question 3: the text is required." in body
    assert "less than or equal to 1" in body and current(world).version == 1


@pytest.mark.parametrize("tamper", [
    lambda d: {k: v for k, v in d.items() if not k.startswith("q-") or "FORMS" not in k},  # no management form
    lambda d: d | {"q-TOTAL_FORMS": ["abc"]},
    lambda d: d | {"q-TOTAL_FORMS": ["-3"]},
    lambda d: d | {"q-TOTAL_FORMS": [str(10**9)]},
    lambda d: d | {"q-TOTAL_FORMS": ["9" * 5000]},
    lambda d: d | {"q-1-weight": ["abc"], "q-2-scale_max": ["1e999"], "q-3-ORDER": ["x"]},
    lambda d: d | {"q-1-type": ["essay"]},
    lambda d: d | {"overall": ["q-999", "nonsense", ""]},
    lambda d: d | {"q-0-text": ["长" * 5000]},
])
@pytest.mark.parametrize("action", ["save", "preview", "add"])
def test_no_input_makes_a_500_and_a_tampered_editor_saves_nothing(world, admin, ssi, tamper, action):
    data = tamper(form_of(admin.get(f"/surveys/templates/{ssi.pk}/")))
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data | {"action": action})
    assert page.status_code in (200, 400)
    assert current(world).version == 1


def test_too_many_questions_are_refused_with_a_message(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/")) | {"q-TOTAL_FORMS": ["41"]}
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data | {"action": "save"})
    assert page.status_code == 400 and "At most 40 questions." in page.content.decode()
    forty = [dict(ssi.questions[1], code=f"q{n}", is_overall=n == 0) for n in range(40)]
    full = admin.post(f"/surveys/templates/{ssi.pk}/", {"action": "load_json", "questions_json": json.dumps(forty)})
    more = admin.post(f"/surveys/templates/{ssi.pk}/", form_of(full) | {"action": "add"})
    assert more.status_code == 200 and form_of(more)["q-TOTAL_FORMS"] == ["40"]
    assert "At most 40 questions." in more.content.decode() and current(world).version == 1


def test_preview_shows_the_unsaved_questions_as_the_link_page_and_saves_nothing(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/"))
    data |= {"q-0-text_en": ["An unsaved question"], "q-6-choices": ["是\n否\n不记得"], "q-1-DELETE": ["on"]}
    versions, audits = SurveyTemplate.objects.count(), AuditEvent.objects.count()
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data | {"action": "preview"})
    body = page.content.decode()
    assert page.status_code == 200 and "Preview — not saved" in body
    assert "surveys/link.css" in body and 'class="q' in body and 'data-question' in body  # the link page's form
    assert "An unsaved question" in body and 'value="不记得"' in body and 'name="initiation"' not in body
    assert body.count('name="overall"') == 10 and "disabled" in body  # the 1–10 scale; nothing can be sent
    assert SurveyTemplate.objects.count() == versions and AuditEvent.objects.count() == audits
    assert current(world).questions == ssi.questions


def test_preview_of_a_wrong_draft_lists_what_to_fix_and_saves_nothing(world, admin, ssi):
    data = form_of(admin.get(f"/surveys/templates/{ssi.pk}/")) | {"q-6-choices": [""], "action": "preview"}
    page = admin.post(f"/surveys/templates/{ssi.pk}/", data)
    assert page.status_code == 400 and "Question 7: a choice question lists 1 to 20 choices." in page.content.decode()
    assert current(world).version == 1


def test_the_saved_version_preview_stays(admin, ssi):
    page = admin.get(f"/surveys/templates/{ssi.pk}/preview/")
    assert page.status_code == 200 and "Preview of version 1" in page.content.decode()


def test_a_new_template_is_made_in_the_editor(world, admin):
    page = admin.get("/surveys/templates/new/")
    data = form_of(page)
    assert page.status_code == 200 and data["q-TOTAL_FORMS"] == ["1"] and data["overall"] == ["q-0"]
    data |= {"code": ["workshop"], "kind": ["custom"], "name": ["车间开放日"], "q-0-code": ["overall"],
             "q-0-text": ["您对开放日满意吗？"], "action": ["save"]}
    assert admin.post("/surveys/templates/new/", data).status_code == 302
    made = current(world, "workshop")
    assert made.version == 1 and made.questions[0]["is_overall"] and made.questions[0]["scale_max"] == 5
    duplicate = admin.post("/surveys/templates/new/", data)
    assert duplicate.status_code == 400 and "already exists" in duplicate.content.decode()


def test_json_loads_into_the_cards_after_checking_and_saves_nothing(world, admin, ssi):
    changed = [dict(q) for q in ssi.questions[:3]]
    changed[1]["text"] = "从JSON来的"
    page = admin.post(f"/surveys/templates/{ssi.pk}/", {"action": "load_json", "questions_json": json.dumps(changed)})
    assert page.status_code == 200 and form_of(page)["q-TOTAL_FORMS"] == ["3"]
    assert form_of(page)["q-1-text"] == ["从JSON来的"] and current(world).version == 1
    bad = admin.post(f"/surveys/templates/{ssi.pk}/", {"action": "load_json", "questions_json": '[{"code": "x"'})
    assert bad.status_code == 400 and "Not valid JSON" in bad.content.decode()
    assert "[{&quot;code&quot;: &quot;x&quot;" in bad.content.decode()  # what was pasted stays
    wrong = admin.post(f"/surveys/templates/{ssi.pk}/", {"action": "load_json", "questions_json": "[{}]"})
    assert wrong.status_code == 400 and "Question 1: the code is lower-case" in wrong.content.decode()


@pytest.mark.parametrize("name", [n for n in EVERY_ROLE if n != "oem_admin"])
def test_only_oem_admins_use_the_editor(world, ssi, name):
    client = browser(world, name)
    data = {"action": "preview", "q-TOTAL_FORMS": "0", "q-INITIAL_FORMS": "0"}
    assert client.get(f"/surveys/templates/{ssi.pk}/").status_code == 403
    assert client.post(f"/surveys/templates/{ssi.pk}/", data).status_code == 403
    assert client.post(f"/surveys/templates/{ssi.pk}/", data | {"action": "save"}).status_code == 403
    assert current(world).version == 1


def test_another_tenants_template_is_not_found(world, admin):
    other = templates(world.tenants["B"])["ssi"]
    data = {"q-TOTAL_FORMS": "0", "q-INITIAL_FORMS": "0"}
    assert admin.get(f"/surveys/templates/{other.pk}/").status_code == 404
    for action in ("save", "preview", "add", "load_json"):
        assert admin.post(f"/surveys/templates/{other.pk}/", data | {"action": action}).status_code == 404
    assert SurveyTemplate.objects.filter(tenant=world.tenants["B"], code="ssi").count() == 1


def test_the_editor_runs_the_same_queries_for_any_number_of_questions(world, admin, ssi):
    dealer = templates(world.tenants["A"])["dealer"]
    assert len(dealer.questions) != len(ssi.questions)
    # session, user, enter the tenant (row-level security), the template, the factors of the tenant's templates,
    # the versions, leave the tenant
    assert count_queries(admin, f"/surveys/templates/{ssi.pk}/") == 7
    assert count_queries(admin, f"/surveys/templates/{dealer.pk}/") == 7
