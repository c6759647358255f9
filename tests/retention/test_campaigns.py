"""Win-back campaigns: the segment and its exclusions, the control group held out, the launch made once, and the
return measured from visits after contact within 90 days, with Newcombe's interval."""

from __future__ import annotations

import datetime as dt

import pytest

from callcenter.models import FollowUpTask, ServiceBooking
from crm_site.models import AuditEvent
from retention.campaigns.criteria import segment_rows, segment_snapshot
from retention.campaigns.models import CampaignMember
from retention.campaigns.results import campaign_results, member_outcomes
from retention.campaigns.segment import segment_preview
from retention.campaigns.stats import newcombe, wilson
from tests.vehicles.factories import VehicleModelFactory

from .campaign_helpers import (
    LAUNCH_DAY,
    T,
    at,
    build,
    call,
    drawn_first,
    lapsed_car,
    launch,
    make_campaign,
    scope_of,
)
from .helpers import sold, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment(world):
    """At dealer A1: 20 lapsed customers who may be called, one do-not-call, two without marketing consent, one
    without a mobile; a lost car, an active car, and a lapsed car of A2."""
    a1, a2 = world.dealers["A1"], world.dealers["A2"]
    cars = {"ok": [lapsed_car(a1) for _n in range(20)],
            "dnc": lapsed_car(a1, do_not_call=True),
            "no_consent": [lapsed_car(a1, consent=False), lapsed_car(a1, consent=False)],
            "no_mobile": lapsed_car(a1, mobile=""),
            "lost": lapsed_car(a1), "a2": lapsed_car(a2)}
    # The second no-consent customer said yes once, then no: the latest record is in force.
    from .campaign_helpers import marketing_consent

    marketing_consent(cars["no_consent"][1].owner, granted=True)
    marketing_consent(cars["no_consent"][1].owner, granted=False)
    cars["lost"].delivered_on = dt.date(2023, 6, 1)
    cars["lost"].save()
    active = sold(a1, dt.date(2024, 12, 1))
    visit(active, a1, dt.date(2026, 5, 1))
    cars["active"] = active
    build(a1)
    return cars


def preview(world, name="oem_analyst", share=10, **criteria):
    scope = scope_of(world, name)
    rows = segment_rows(scope, segment_snapshot(scope), {"states": ["lapsed"], **criteria})
    return segment_preview(rows, day=LAUNCH_DAY, seed="preview", share=share)


def test_the_preview_counts_the_segment_its_exclusions_and_the_groups(world, segment):
    figures = preview(world, dealer=world.dealers["A1"].pk)
    assert figures["segment"] == 24  # 20 + do-not-call + 2 without consent + no mobile; not the lost or active
    assert figures["excluded"]["do_not_call"] == 1
    assert figures["excluded"]["no_consent"] == 2
    assert figures["excluded"]["no_mobile"] == 1
    assert figures.callable == 20 and figures["control"] == 2 and figures["called"] == 18
    assert preview(world, dealer=world.dealers["A1"].pk, states=["lost"])["segment"] == 1
    assert preview(world)["segment"] == 25  # the network: A2's lapsed customer too
    assert preview(world, dealer=world.dealers["A1"].pk, share=50)["control"] == 10


def test_criteria_narrow_by_series_age_band_and_value_tier(world, segment):
    from retention.models import CustomerValue

    camry = VehicleModelFactory(tenant=world.tenants["A"], series="凯美瑞")
    for car in segment["ok"][:3]:
        car.model = camry
        car.save()
    build(world.dealers["A1"])
    a1 = world.dealers["A1"].pk
    assert preview(world, dealer=a1, series=["凯美瑞"])["segment"] == 3
    assert preview(world, dealer=a1, age_bands=[1])["segment"] == 24  # delivered 19 months before T
    assert preview(world, dealer=a1, age_bands=[2, 3])["segment"] == 0
    CustomerValue.objects.create(tenant=world.tenants["A"], customer=segment["ok"][0].owner, as_of=T,
                                 recency_days=500, visits=0, spend=0, r=1, f=1, m=1, vehicles_bought=1, rebuy=False,
                                 related=0, referrals=0, referrals_won=0, tier="dormant")
    assert preview(world, dealer=a1, tiers=["dormant"])["segment"] == 1


def test_the_launch_holds_the_control_group_out_and_calls_the_rest(world, segment):
    campaign = make_campaign(world, dealer=world.dealers["A1"])
    result = launch(world, campaign)
    assert result["already"] is False
    assert (result["called"], result["control"], result["segment"]) == (18, 2, 24)
    members = CampaignMember.objects.filter(campaign=campaign)
    control = set(members.filter(group="control").values_list("customer_id", flat=True))
    ok_owners = [car.owner_id for car in segment["ok"]]
    assert control == drawn_first(campaign, ok_owners, 2)  # md5(campaign:customer), reproducible by hand
    tasks = FollowUpTask.objects.filter(campaign_id=campaign.pk)
    assert tasks.count() == 18
    assert not tasks.filter(customer_id__in=control).exists()  # the control group never gets a task
    assert set(tasks.values_list("customer_id", flat=True)) == set(ok_owners) - control
    assert set(members.filter(group="called").values_list("task_id", flat=True)) == set(tasks.values_list("id",
                                                                                                         flat=True))
    excluded = dict(members.filter(group="excluded").values_list("customer_id", "reason"))
    assert excluded[segment["dnc"].owner_id] == "do_not_call"
    assert excluded[segment["no_mobile"].owner_id] == "no_mobile"
    assert {excluded[c.owner_id] for c in segment["no_consent"]} == {"no_consent"}
    campaign.refresh_from_db()
    rule = campaign.rule
    assert (rule.trigger, rule.worked_by, rule.purpose, rule.script) == ("campaign", "dealer", "marketing",
                                                                         campaign.script)
    assert set(tasks.values_list("worked_by", "queue", "due_on").distinct()) == {
        ("dealer", rule.queue, LAUNCH_DAY)}


def test_launching_twice_does_nothing_the_second_time(world, segment):
    campaign = make_campaign(world, dealer=world.dealers["A1"])
    first = launch(world, campaign)
    again = launch(world, campaign, day=LAUNCH_DAY + dt.timedelta(days=3))
    assert again["already"] is True and again["called"] == first["called"]
    assert CampaignMember.objects.filter(campaign=campaign).count() == 24
    assert FollowUpTask.objects.filter(campaign_id=campaign.pk).count() == 18
    assert AuditEvent.objects.filter(action="campaign.launch", object_id=str(campaign.pk)).count() == 1


def test_what_followups_add_skips_is_kept_with_its_reason(world, segment, monkeypatch):
    """A customer who became do-not-call between the draw and the task (here: a task refused by the follow-up run)
    is kept as excluded, never silently dropped."""
    from retention.campaigns import services

    original = services.followups_add

    def refusing_one(*, subjects, **kwargs):
        return original(subjects=subjects[1:], **kwargs)

    monkeypatch.setattr(services, "followups_add", refusing_one)
    campaign = make_campaign(world, dealer=world.dealers["A1"])
    result = launch(world, campaign)
    assert result["called"] == 17 and result["excluded"]["not_created"] == 1
    assert CampaignMember.objects.filter(campaign=campaign, group="excluded", reason="not_created").count() == 1


def _launched(world, segment, share=10):
    campaign = make_campaign(world, dealer=world.dealers["A1"], share=share)
    launch(world, campaign)
    campaign.refresh_from_db()
    members = CampaignMember.objects.filter(campaign=campaign).select_related("task", "vehicle")
    return campaign, {g: [m for m in members if m.group == g] for g in ("called", "control", "excluded")}


def test_return_counts_only_visits_after_contact_and_within_90_days(world, segment):
    campaign, groups = _launched(world, segment)
    a1 = world.dealers["A1"]
    before, day_90, day_91, never_called, not_back = groups["called"][:5]
    contact = LAUNCH_DAY + dt.timedelta(days=2)
    for member in (before, day_90, day_91, not_back):
        call(member.task, at(contact, 11))
    visit(before.vehicle, a1, LAUNCH_DAY + dt.timedelta(days=1))  # after the launch, before the contact
    visit(day_90.vehicle, a1, contact + dt.timedelta(days=90))
    visit(day_91.vehicle, a1, contact + dt.timedelta(days=91))
    visit(never_called.vehicle, a1, LAUNCH_DAY + dt.timedelta(days=20))  # never contacted: from the launch
    control_back, control_late = groups["control"]
    visit(control_back.vehicle, world.dealers["A2"], LAUNCH_DAY + dt.timedelta(days=90))  # any dealer counts
    visit(control_late.vehicle, a1, LAUNCH_DAY + dt.timedelta(days=91))
    later = at(LAUNCH_DAY + dt.timedelta(days=200))
    results = campaign_results(scope_of(world, "oem_analyst"), campaign, now=later)
    outcomes = member_outcomes(scope_of(world, "oem_analyst"), campaign, now=later)
    returned = {m.pk for m in groups["called"] + groups["control"] if outcomes[m.pk][3] is not None}
    assert returned == {day_90.pk, never_called.pk, control_back.pk}
    assert (results.called.members, results.called.contacted, results.called.reached) == (18, 4, 4)
    assert (results.called.returned, results.control.members, results.control.returned) == (2, 2, 1)
    assert not results.too_early
    d = newcombe(2, 18, 1, 2)
    assert (results.difference.estimate, results.difference.low, results.difference.high) == (d.estimate, d.low,
                                                                                              d.high)


def test_results_are_too_early_until_every_member_had_90_days(world, segment):
    campaign, _groups = _launched(world, segment)
    scope = scope_of(world, "oem_analyst")
    assert campaign_results(scope, campaign, now=at(LAUNCH_DAY + dt.timedelta(days=60))).too_early
    assert campaign_results(scope, campaign, now=at(LAUNCH_DAY + dt.timedelta(days=119))).too_early
    assert not campaign_results(scope, campaign, now=at(LAUNCH_DAY + dt.timedelta(days=120))).too_early


def test_reached_and_booked_come_from_the_calls_on_the_campaign_task(world, segment):
    campaign, groups = _launched(world, segment)
    reached, busy, booked = groups["called"][:3]
    call(reached.task, at(LAUNCH_DAY, 11), "callback")
    call(busy.task, at(LAUNCH_DAY, 11), "busy")
    booking_call = call(booked.task, at(LAUNCH_DAY, 12), "reached")
    ServiceBooking.objects.create(tenant_id=campaign.tenant_id, dealer=world.dealers["A1"],
                                  customer_id=booked.customer_id, call=booking_call, wanted_on=LAUNCH_DAY)
    results = campaign_results(scope_of(world, "oem_analyst"), campaign, now=at(LAUNCH_DAY, 18))
    assert (results.called.contacted, results.called.reached, results.called.booked) == (3, 2, 1)
    assert (results.control.contacted, results.control.reached, results.control.booked) == (0, 0, 0)


def test_newcombe_interval_matches_the_hand_computation():
    """Newcombe (1998), Statistics in Medicine 17:873, table II, method 10: 56/70 − 48/80 = 0.2000, 95 % interval
    0.0524 to 0.3339; 9/10 − 3/10 = 0.6, 0.1705 to 0.8090."""
    d = newcombe(56, 70, 48, 80)
    assert round(d.estimate, 4) == 0.2 and round(d.low, 4) == 0.0524 and round(d.high, 4) == 0.3339
    d = newcombe(9, 10, 3, 10)
    assert (round(d.low, 4), round(d.high, 4)) == (0.1705, 0.8090)
    # The Wilson interval of 0/10 by hand: (0, z² / (10 + z²)).
    z2 = 1.959963984540054 ** 2
    assert wilson(0, 10) == (0.0, pytest.approx(z2 / (10 + z2)))
    assert newcombe(1, 0, 1, 5).estimate is None


def _segmented(world, members):
    """A finished segmentation run of tenant A with cluster 1 holding `members` and cluster 2 the rest."""
    from django.utils import timezone

    from retention.segments.models import AnalysisRun, Cluster, CustomerCluster

    run = AnalysisRun.objects.create(tenant=world.tenants["A"], kind="segments", as_of=T, status="done",
                                     finished_at=timezone.now())
    for number in (1, 2):
        Cluster.objects.create(tenant=world.tenants["A"], run=run, number=number, size=len(members), share=0.5,
                               r=3, f=3, m=3, visits=1, spend=100, traits=[])
    CustomerCluster.objects.bulk_create([CustomerCluster(tenant=world.tenants["A"], run=run, customer=c, cluster=1)
                                         for c in members])
    return run


def test_a_cluster_of_the_newest_segmentation_narrows_the_segment_and_is_kept_with_its_run(world, segment):
    from retention.campaigns.forms import CampaignForm

    members = [car.owner for car in segment["ok"][:4]]
    run = _segmented(world, members)
    a1 = world.dealers["A1"].pk
    assert preview(world, dealer=a1, clusters={"run": run.pk, "numbers": [1]})["segment"] == 4
    assert preview(world, dealer=a1, clusters={"run": run.pk, "numbers": [2]})["segment"] == 0
    form = CampaignForm({"name": "簇召回", "dealer": a1, "states": ["lapsed"], "clusters": ["1"], "worked_by": "dealer",
                         "control_share": 0, "script": "您好"}, scope=scope_of(world, "oem_analyst"))
    assert form.is_valid(), form.errors
    assert form.criteria()["clusters"] == {"run": run.pk, "numbers": [1]}
    campaign = make_campaign(world, dealer=world.dealers["A1"], share=0, clusters={"run": run.pk, "numbers": [1]})
    result = launch(world, campaign)
    assert result["segment"] == 4 and result["called"] == 4
    # A store's manager does not read the segments: the form offers no cluster.
    assert "clusters" not in CampaignForm(scope=scope_of(world, "dealer_manager")).fields
