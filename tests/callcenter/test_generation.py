"""Follow-up generation: what is created for a date, each skip reason counted, idempotent, expired after its window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from callcenter.choices import RunSource, TaskStatus
from callcenter.generation import followups_generate, months_back, trigger_window
from callcenter.models import FollowUpRun, FollowUpTask
from crm_site.scope import Scope
from tests.customers.factories import CustomerFactory
from tests.vehicles.factories import RelatedPurchaseFactory, SaleFactory, ServiceVisitFactory, VehicleFactory

from .queue_world import at, callable_customer, consent, rules, task

DAY = dt.date(2026, 3, 2)
NOW = at("2026-03-02", "06:00")


@pytest.fixture
def setup(world):
    tenant, a1 = world.tenants["A"], world.dealers["A1"]
    return tenant, a1, rules(tenant), Scope.system(tenant.pk)


def generate(scope, day=DAY):
    return followups_generate(scope=scope, on=day, source=RunSource.COMMAND, now=NOW)


def line(run, code):
    return next(item for item in run.per_rule if item["code"] == code)


def sale(a1, customer, delivered_on):
    vehicle = VehicleFactory(dealer=a1, tenant=a1.tenant, owner=customer, delivered_on=delivered_on)
    return SaleFactory(dealer=a1, tenant=a1.tenant, vehicle=vehicle, customer=customer, delivered_on=delivered_on)


def test_a_delivery_three_days_ago_gets_its_call_once(setup):
    tenant, a1, by_code, scope = setup
    customer = callable_customer(a1)
    made = sale(a1, customer, DAY - dt.timedelta(days=3))
    too_new = sale(a1, callable_customer(a1), DAY - dt.timedelta(days=2))
    run = generate(scope)
    tasks = FollowUpTask.objects.filter(rule=by_code["delivery"])
    assert [(t.subject_id, t.due_on, t.expires_on, t.status) for t in tasks] == [
        (made.pk, DAY, DAY + dt.timedelta(days=7), TaskStatus.OPEN)]
    assert tasks[0].customer == customer and tasks[0].dealer == a1 and tasks[0].queue == "ssi"
    assert not FollowUpTask.objects.filter(subject_id=too_new.pk, rule=by_code["delivery"]).exists()
    assert line(run, "delivery")["created"] == 1
    again = generate(scope)
    assert FollowUpTask.objects.filter(rule=by_code["delivery"]).count() == 1
    assert line(again, "delivery") | {"seconds": 0} == {**line(run, "delivery"), "created": 0, "existing": 1,
                                                         "seconds": 0}


def test_a_delivery_inside_the_due_window_is_still_generated_but_not_after_it(setup):
    tenant, a1, by_code, scope = setup
    inside = sale(a1, callable_customer(a1), DAY - dt.timedelta(days=10))  # due 7 days ago: last day of the window
    outside = sale(a1, callable_customer(a1), DAY - dt.timedelta(days=11))
    generate(scope)
    subjects = set(FollowUpTask.objects.filter(rule=by_code["delivery"]).values_list("subject_id", flat=True))
    assert subjects == {inside.pk}
    assert outside.pk not in subjects


def test_every_skip_reason_is_counted(setup):
    tenant, a1, by_code, scope = setup
    delivered = DAY - dt.timedelta(days=3)
    sale(a1, callable_customer(a1, do_not_call=True), delivered)
    sale(a1, CustomerFactory(dealer=a1, tenant=tenant), delivered)  # no consent at all
    refused = CustomerFactory(dealer=a1, tenant=tenant)
    consent(refused, granted=True)
    consent(refused, granted=False)  # the latest record is in force
    sale(a1, refused, delivered)
    scrapped = sale(a1, callable_customer(a1), delivered)
    scrapped.vehicle.scrapped_on = DAY - dt.timedelta(days=1)
    scrapped.vehicle.save()
    survivor, merged = callable_customer(a1), callable_customer(a1)
    merged.merged_into = survivor
    merged.save()
    sale(a1, merged, delivered)
    sale(a1, callable_customer(a1, mobile=""), delivered)
    ok = sale(a1, callable_customer(a1), delivered)
    run = generate(scope)
    assert line(run, "delivery")["skipped"] == {"do_not_call": 1, "no_consent": 2, "vehicle_scrapped": 1,
                                                "customer_erased": 1, "no_mobile": 1}
    assert list(FollowUpTask.objects.filter(rule=by_code["delivery"]).values_list("subject_id", flat=True)) == [ok.pk]
    stored = FollowUpRun.objects.get(pk=run.pk)
    assert stored.skipped_count >= 6 and stored.created_count >= 1 and stored.finished_at is not None


def test_an_open_task_of_the_same_rule_for_the_same_vehicle_skips_the_new_one(setup):
    tenant, a1, by_code, scope = setup
    customer = callable_customer(a1)
    vehicle = VehicleFactory(dealer=a1, tenant=tenant, owner=customer)
    task(by_code["maintenance"], customer, a1, due_on=DAY - dt.timedelta(days=20), subject_id=vehicle.pk,
         worked_by="dealer")
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=vehicle, customer=customer,
                        opened_at=at("2025-09-03", "10:00"), closed_at=at("2025-09-03", "15:00"))
    run = generate(scope)
    assert line(run, "maintenance")["skipped"] == {"open_task": 1}


def test_maintenance_reminder_only_for_the_latest_visit_and_first_maintenance_only_without_one(setup):
    tenant, a1, by_code, scope = setup
    customer = callable_customer(a1)
    old = VehicleFactory(dealer=a1, tenant=tenant, owner=customer, delivered_on=dt.date(2024, 1, 5))
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=old, opened_at=at("2025-09-03"))
    newer = VehicleFactory(dealer=a1, tenant=tenant, owner=customer, delivered_on=dt.date(2024, 1, 5))
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=newer, opened_at=at("2025-09-03"))
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=newer, opened_at=at("2026-01-10"))
    fresh = VehicleFactory(dealer=a1, tenant=tenant, owner=customer, delivered_on=DAY - dt.timedelta(days=150))
    serviced = VehicleFactory(dealer=a1, tenant=tenant, owner=customer, delivered_on=DAY - dt.timedelta(days=150))
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=serviced, kind="first_maintenance",
                        opened_at=at("2026-02-01"))
    generate(scope)
    maintenance = FollowUpTask.objects.filter(rule=by_code["maintenance"])
    assert {(t.subject_id, t.occurrence) for t in maintenance} == {(old.pk, dt.date(2025, 9, 3))}
    assert maintenance[0].worked_by == "dealer" and maintenance[0].due_on == dt.date(2026, 3, 2)
    first = FollowUpTask.objects.filter(rule=by_code["first_maintenance"])
    assert list(first.values_list("subject_id", flat=True)) == [fresh.pk]


def test_insurance_renewal_needs_marketing_consent_and_comes_a_month_before_expiry(setup):
    tenant, a1, by_code, scope = setup
    customer = callable_customer(a1)
    consent(customer, "marketing")
    policy = RelatedPurchaseFactory(dealer=a1, tenant=tenant, customer=customer,
                                    vehicle=VehicleFactory(dealer=a1, tenant=tenant, owner=customer),
                                    purchased_on=dt.date(2025, 4, 1), expires_on=dt.date(2026, 4, 1))
    service_only = callable_customer(a1)
    RelatedPurchaseFactory(dealer=a1, tenant=tenant, customer=service_only,
                           vehicle=VehicleFactory(dealer=a1, tenant=tenant, owner=service_only),
                           purchased_on=dt.date(2025, 4, 1), expires_on=dt.date(2026, 4, 1))
    run = generate(scope)
    renewal = FollowUpTask.objects.get(rule=by_code["insurance_renewal"])
    assert renewal.subject_id == policy.pk and renewal.due_on == dt.date(2026, 3, 2)
    assert line(run, "insurance_renewal")["skipped"] == {"no_consent": 1}


def test_birthdays_on_the_day_with_29_february_on_the_28th(setup):
    tenant, a1, by_code, scope = setup
    today = callable_customer(a1, birth_date=dt.date(1990, 3, 2))
    leap = callable_customer(a1, birth_date=dt.date(1992, 2, 29))
    callable_customer(a1, birth_date=dt.date(1990, 3, 10))
    generate(scope)
    assert set(FollowUpTask.objects.filter(rule=by_code["birthday"]).values_list("customer_id", "occurrence")) == {
        (today.pk, dt.date(2026, 3, 2)), (leap.pk, dt.date(2026, 2, 28))}


def test_a_vehicle_lapses_twelve_months_after_its_last_visit_at_the_selling_store(setup):
    tenant, a1, by_code, scope = setup
    customer = callable_customer(a1)
    consent(customer, "marketing")
    lapsed = VehicleFactory(dealer=a1, tenant=tenant, owner=customer, delivered_on=dt.date(2023, 5, 1))
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=lapsed, opened_at=at("2025-02-20"))
    never_back = VehicleFactory(dealer=a1, tenant=tenant, owner=customer, delivered_on=dt.date(2025, 2, 25))
    active = VehicleFactory(dealer=a1, tenant=tenant, owner=customer, delivered_on=dt.date(2023, 5, 1))
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=active, opened_at=at("2025-02-20"))
    ServiceVisitFactory(dealer=a1, tenant=tenant, vehicle=active, opened_at=at("2025-12-20"))
    generate(scope)
    got = set(FollowUpTask.objects.filter(rule=by_code["win_back"]).values_list("subject_id", "occurrence"))
    assert got == {(lapsed.pk, dt.date(2026, 2, 20)), (never_back.pk, dt.date(2026, 2, 25))}


def test_tasks_past_their_window_expire_and_do_not_call_customers_are_cancelled(setup):
    tenant, a1, by_code, scope = setup
    old = task(by_code["delivery"], callable_customer(a1), a1, due_on=DAY - dt.timedelta(days=9))
    stopped = task(by_code["delivery"], callable_customer(a1, do_not_call=True), a1, due_on=DAY)
    run = generate(scope)
    old.refresh_from_db()
    stopped.refresh_from_db()
    assert old.status == TaskStatus.EXPIRED and run.expired_count == 1
    assert stopped.status == TaskStatus.CANCELLED


def test_a_paused_rule_creates_nothing(setup):
    tenant, a1, by_code, scope = setup
    by_code["delivery"].is_active = False
    by_code["delivery"].save()
    sale(a1, callable_customer(a1), DAY - dt.timedelta(days=3))
    run = generate(scope)
    assert "delivery" not in {item["code"] for item in run.per_rule}
    assert not FollowUpTask.objects.filter(rule=by_code["delivery"]).exists()


def test_generation_never_crosses_tenants(world):
    for tenant in world.tenants.values():
        rules(tenant)
    b1 = world.dealers["B1"]
    sale(b1, callable_customer(b1), DAY - dt.timedelta(days=3))
    generate(Scope.system(world.tenants["A"].pk))
    assert not FollowUpTask.objects.exists()


def test_the_command_takes_a_date_and_prints_the_counts(setup, capsys):
    tenant, a1, by_code, scope = setup
    sale(a1, callable_customer(a1), dt.date(2026, 2, 27))
    call_command("generate_followups", "--tenant", tenant.slug, "--date", "2026-03-02")
    out = capsys.readouterr().out
    assert "delivery: created 1" in out and "Run " in out
    assert FollowUpRun.objects.get().run_on == dt.date(2026, 3, 2)


def test_windows_and_month_arithmetic():
    assert months_back(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_back(dt.date(2025, 1, 15), 12) == dt.date(2024, 1, 15)

    class Rule:
        offset_days, due_window_days = -30, 25

    assert trigger_window(Rule, dt.date(2026, 3, 2)) == (dt.date(2026, 3, 7), dt.date(2026, 4, 1))


def test_tasks_for_a_chosen_list_are_classified_like_generation(setup, world):
    from callcenter.campaigns import followups_add

    tenant, a1, by_code, scope = setup
    rule = by_code["win_back"]
    keen = callable_customer(a1)
    consent(keen, "marketing")
    silent = callable_customer(a1)  # service consent only: win-back is marketing
    subjects = [{"dealer_id": a1.pk, "customer_id": c.pk, "vehicle_id": None, "subject_id": c.pk,
                 "occurrence": DAY} for c in (keen, silent)]
    manager = world.principals["dealer_manager"].scope
    result = followups_add(scope=manager, rule=rule, subjects=subjects, on=DAY)
    assert result == {"created": 1, "skipped": {"no_consent": 1}, "existing": 0}
    assert FollowUpTask.objects.get(rule=rule).customer == keen
    assert followups_add(scope=manager, rule=rule, subjects=subjects, on=DAY)["existing"] == 1
    a2 = world.dealers["A2"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        followups_add(scope=manager, rule=rule, subjects=[{**subjects[0], "dealer_id": a2.pk}], on=DAY)
