"""Invitation generation: delay, sampling, consent, do-not-call, open complaints, the contact cap, calls, re-runs."""

import datetime as dt

import pytest
from django.core.management import call_command

from callcenter.models import FollowUpTask
from crm_site.scope import Scope
from surveys.invitations import invitations_generate
from surveys.models import SurveyInvitation, SurveyTemplate
from tests.callcenter.complaints.factories import open_complaint
from tests.callcenter.factories import FollowUpRuleFactory
from tests.callcenter.queue_world import task
from tests.vehicles.factories import SaleFactory, ServiceVisitFactory

from .factories import consent, invitation, templates

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 10)
SOLD = DAY - dt.timedelta(days=3)  # the default templates invite 3 days after


def _sale(dealer, *, on=SOLD, channel="sms"):
    sale = SaleFactory(dealer=dealer, tenant=dealer.tenant, delivered_on=on)
    if channel:
        consent(sale.customer, channel=channel)
    return sale


def _run(world, day=DAY):
    return invitations_generate(scope=Scope.system(world.tenants["A"].pk), on=day)


def test_a_sale_gets_one_link_invitation_and_a_rerun_makes_none(world):
    templates(world.tenants["A"])
    sale = _sale(world.dealers["A1"])
    _sale(world.dealers["A1"], on=SOLD - dt.timedelta(days=30))  # too long ago
    report = _run(world)
    assert report["ssi"]["created"] == 1
    inv = SurveyInvitation.objects.get()
    assert (inv.subject_kind, inv.subject_id, inv.customer_id, inv.channel, inv.status) == (
        "sale", sale.pk, sale.customer_id, "link", "pending")
    assert len(inv.nonce) == 32
    assert _run(world)["ssi"]["created"] == 0
    assert SurveyInvitation.objects.count() == 1


def test_a_closed_service_visit_gets_a_csi_invitation(world):
    from zoneinfo import ZoneInfo

    templates(world.tenants["A"])
    closed = dt.datetime.combine(SOLD, dt.time(15), tzinfo=ZoneInfo("Asia/Shanghai"))
    visit = ServiceVisitFactory(dealer=world.dealers["A1"], tenant=world.tenants["A"], opened_at=closed,
                                closed_at=closed)
    consent(visit.customer)
    assert _run(world)["csi"]["created"] == 1
    assert SurveyInvitation.objects.get().subject_kind == "visit"


def test_customers_who_may_not_be_surveyed_are_skipped_with_the_reason(world):
    templates(world.tenants["A"])
    a1 = world.dealers["A1"]
    _sale(a1, channel=None)  # no consent
    _sale(a1, channel="phone")  # consent for calls, but the template sends a link
    refused = _sale(a1)
    refused.customer.do_not_call = True
    refused.customer.save()
    unhappy = _sale(a1)
    open_complaint(a1, customer=unhappy.customer)
    ok = _sale(a1)
    report = _run(world)
    assert report["ssi"]["created"] == 1
    assert report["ssi"]["skipped"] == {"no_consent": 2, "do_not_call": 1, "open_complaint": 1}
    assert SurveyInvitation.objects.get().customer_id == ok.customer_id


def test_the_contact_cap_counts_earlier_invitations_and_marketing_calls(world):
    ssi = templates(world.tenants["A"])["ssi"]
    a1 = world.dealers["A1"]
    invited = _sale(a1)
    earlier = invitation(ssi, a1, customer=invited.customer, subject_id=999)
    SurveyInvitation.objects.filter(pk=earlier.pk).update(created_at=dt.datetime(2026, 2, 20, tzinfo=dt.UTC))
    called = _sale(a1)
    marketing = FollowUpRuleFactory(tenant=world.tenants["A"], code="winback-x", purpose="marketing")
    task(marketing, called.customer, a1, due_on=DAY - dt.timedelta(days=10))
    old_call = _sale(a1)
    task(marketing, old_call.customer, a1, due_on=DAY - dt.timedelta(days=45))
    report = _run(world)
    assert report["ssi"]["skipped"] == {"contact_cap": 2}
    assert report["ssi"]["created"] == 1
    assert SurveyInvitation.objects.filter(subject_id=old_call.pk).exists()


def test_sampling_is_by_the_subject_so_a_rerun_picks_the_same(world):
    ssi = templates(world.tenants["A"])["ssi"]
    SurveyTemplate.objects.filter(pk=ssi.pk).update(sample_rate=0.5)
    for _n in range(40):
        _sale(world.dealers["A1"])
    first = _run(world)["ssi"]["created"]
    assert 5 < first < 35
    SurveyInvitation.objects.all().delete()
    assert _run(world)["ssi"]["created"] == first


def test_an_invitation_by_call_becomes_a_survey_follow_up(world):
    ssi = templates(world.tenants["A"])["ssi"]
    SurveyTemplate.objects.filter(pk=ssi.pk).update(channel="call")
    sale = _sale(world.dealers["A1"], channel="phone")
    report = _run(world)
    assert report["ssi"]["created"] == 1 and report["ssi"]["calls"] == 1
    inv = SurveyInvitation.objects.get()
    follow_up = FollowUpTask.objects.get()
    assert inv.follow_up_id == follow_up.pk and inv.channel == "call"
    assert (follow_up.rule.code, follow_up.queue, follow_up.subject_id, follow_up.customer_id) == (
        "survey_call", "survey", inv.pk, sale.customer_id)


def test_the_command_runs_for_a_date(world, capsys):
    templates(world.tenants["A"])
    _sale(world.dealers["A1"])
    call_command("generate_survey_invitations", "--tenant", world.tenants["A"].slug, "--date", DAY.isoformat())
    assert "ssi: created 1" in capsys.readouterr().out
    assert SurveyInvitation.objects.count() == 1


def test_old_pending_invitations_expire(world):
    ssi = templates(world.tenants["A"])["ssi"]
    old = invitation(ssi, world.dealers["A1"], expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _run(world)["#expired"] == 1
    old.refresh_from_db()
    assert old.status == "expired"
