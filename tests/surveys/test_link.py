"""The public link /s/<token>/: answered once without login; used, expired, tampered or foreign links save nothing."""

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from callcenter.models import Complaint
from surveys import links
from surveys.models import SurveyLinkOpen, SurveyResponse

from .factories import invitation, ssi_answers, templates

pytestmark = pytest.mark.django_db


@pytest.fixture
def ssi(world):
    return templates(world.tenants["A"])["ssi"]


def _url(inv):
    return links.link_path(inv)


def test_a_customer_answers_once_without_login(world, ssi):
    inv = invitation(ssi, world.dealers["A1"])
    client = Client(enforce_csrf_checks=True)
    page = client.get(_url(inv), REMOTE_ADDR="10.1.2.3")
    body = page.content.decode()
    assert page.status_code == 200 and world.dealers["A1"].name in body and 'name="overall"' in body
    token = page.cookies["csrftoken"].value
    answered = client.post(_url(inv), ssi_answers(overall=10) | {"csrfmiddlewaretoken": token},
                           REMOTE_ADDR="10.1.2.3")
    assert answered.status_code == 200 and "Thank you" in answered.content.decode()
    response = SurveyResponse.objects.get()
    assert response.via == "link" and response.remote_addr == "10.1.2.3" and response.top_box is True
    again = client.get(_url(inv))
    assert again.status_code == 410 and "already answered" in again.content.decode()
    twice = client.post(_url(inv), ssi_answers() | {"csrfmiddlewaretoken": token})
    assert twice.status_code == 410 and SurveyResponse.objects.count() == 1
    assert SurveyLinkOpen.objects.get(invitation=inv).address == "10.1.2.3"


def test_a_wrong_answer_keeps_what_was_typed(world, ssi):
    inv = invitation(ssi, world.dealers["A1"])
    page = Client().post(_url(inv), ssi_answers(overall=11, comment="很好") | {"deal": ""})
    body = page.content.decode()
    assert page.status_code == 400 and "Please answer this question." in body and "很好" in body
    assert not SurveyResponse.objects.exists()
    inv.refresh_from_db()
    assert inv.status == "pending"


def test_an_expired_link_says_so_and_saves_nothing(world, ssi):
    inv = invitation(ssi, world.dealers["A1"], expires_at=timezone.now() - dt.timedelta(minutes=1))
    client = Client()
    assert "expired" in client.get(_url(inv)).content.decode()
    assert client.post(_url(inv), ssi_answers()).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_a_tampered_or_made_up_link_is_refused(world, ssi):
    inv = invitation(ssi, world.dealers["A1"])
    token = links.token_for(inv)
    client = Client()
    for bad in (token[:-2] + ("aa" if not token.endswith("aa") else "bb"), token.replace(inv.nonce, "0" * 32),
                "nothing", "x" * 200):
        page = client.get(f"/s/{bad}/")
        assert page.status_code == 404 and "not valid" in page.content.decode()
    assert client.post(f"/s/{token[:-1]}/", ssi_answers()).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_a_link_cannot_reach_another_tenants_invitation(world, ssi):
    other = invitation(templates(world.tenants["B"])["ssi"], world.dealers["B1"])
    # A genuine signature over tenant A with tenant B's invitation id and nonce: RLS and the tenant filter refuse it.
    forged = links._signer.sign(f"{links._b36(world.tenants['A'].pk)}.{links._b36(other.pk)}.{other.nonce}")
    assert Client().get(f"/s/{forged}/").status_code == 404
    assert Client().get(_url(other)).status_code == 200


def test_a_low_score_on_the_link_opens_one_complaint(world, ssi):
    inv = invitation(ssi, world.dealers["A1"])
    Client().post(_url(inv), dict.fromkeys(ssi_answers(), 1) | {"recommend": 2})
    complaint = Complaint.objects.get()
    assert complaint.channel == "survey" and SurveyResponse.objects.get().complaint_id == complaint.pk


def test_requests_are_limited_per_address(world, ssi, settings):
    from surveys import public

    inv = invitation(ssi, world.dealers["A1"])
    client = Client()
    for _n in range(public.RATE_PER_MINUTE):
        assert client.get(_url(inv), REMOTE_ADDR="10.9.9.9").status_code == 200
    assert client.get(_url(inv), REMOTE_ADDR="10.9.9.9").status_code == 429
    assert client.get(_url(inv), REMOTE_ADDR="10.9.9.8").status_code == 200


def test_the_page_is_light_and_chinese_by_default(world, ssi, settings):
    from django.contrib.staticfiles import finders

    settings.LANGUAGE_CODE = "zh-hans"
    inv = invitation(ssi, world.dealers["A1"])
    page = Client().get(_url(inv))
    body = page.content.decode()
    assert 'lang="zh-hans"' in body and "htmx" not in body and "echarts" not in body
    weight = len(page.content) + sum(len(Path(finders.find(f"surveys/{name}")).read_bytes())
                                     for name in ("link.css", "link.js"))
    assert weight < 100_000
    english = Client().get(_url(inv), HTTP_ACCEPT_LANGUAGE="en")
    assert "Send my answers" in english.content.decode()
