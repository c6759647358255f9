"""The retention definitions (DESIGN §4) against hand-built fleets, each state at its boundaries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Sum

from retention.models import Activity, DefectionCell, RetentionSettings, Rollup, Snapshot, VehicleState
from tests.customers.factories import CustomerFactory
from vehicles.services import vehicle_transfer

from .helpers import T, build, sold, visit

pytestmark = pytest.mark.django_db


def state_of(snapshot, vehicle) -> VehicleState:
    return VehicleState.objects.get(snapshot=snapshot, vehicle=vehicle)


def test_a_visit_exactly_twelve_months_before_t_is_retained_and_a_day_earlier_is_lapsed(a1):
    on_edge, day_before = sold(a1, dt.date(2023, 1, 1)), sold(a1, dt.date(2023, 1, 1))
    visit(on_edge, a1, dt.date(2025, 6, 30), hour=0)
    visit(day_before, a1, dt.date(2025, 6, 29), hour=23)
    snapshot = build(a1)
    assert state_of(snapshot, on_edge).state == "retained"
    assert state_of(snapshot, day_before).state == "lapsed"


def test_active_is_a_visit_within_six_months_inclusive(a1):
    on_edge, day_before = sold(a1, dt.date(2023, 1, 1)), sold(a1, dt.date(2023, 1, 1))
    visit(on_edge, a1, dt.date(2025, 12, 30))
    visit(day_before, a1, dt.date(2025, 12, 29))
    snapshot = build(a1)
    assert state_of(snapshot, on_edge).state == "active"
    assert state_of(snapshot, day_before).state == "retained"


def test_a_delivery_with_no_visit_counts_from_the_delivery(a1):
    recent, lapsed, on_lost_edge, lost = (sold(a1, dt.date(2025, 7, 1)), sold(a1, dt.date(2025, 6, 29)),
                                          sold(a1, dt.date(2024, 6, 30)), sold(a1, dt.date(2024, 6, 29)))
    snapshot = build(a1)
    assert state_of(snapshot, recent).state == "new"
    assert state_of(snapshot, lapsed).state == "lapsed"
    assert state_of(snapshot, on_lost_edge).state == "lapsed"
    assert state_of(snapshot, lost).state == "lost"
    assert state_of(snapshot, lost).last_home_visit_on is None


def test_visits_and_deliveries_after_t_are_ignored(a1):
    later = sold(a1, dt.date(2026, 7, 1))
    old = sold(a1, dt.date(2020, 1, 1))
    visit(old, a1, dt.date(2026, 7, 1), hour=0)
    snapshot = build(a1)
    assert not VehicleState.objects.filter(snapshot=snapshot, vehicle=later).exists()
    assert state_of(snapshot, old).state == "lost"


def test_a_scrapped_vehicle_leaves_the_owned_base_from_its_scrapping_date(a1):
    scrapped = sold(a1, dt.date(2020, 1, 1), scrapped_on=dt.date(2026, 6, 30))
    scrapped_later = sold(a1, dt.date(2020, 1, 1), scrapped_on=dt.date(2026, 7, 1))
    snapshot = build(a1)
    assert not VehicleState.objects.filter(snapshot=snapshot, vehicle=scrapped).exists()
    assert VehicleState.objects.filter(snapshot=snapshot, vehicle=scrapped_later).exists()


def test_a_vehicle_serviced_at_another_dealer_is_defected_and_not_retained(a1, a2):
    car = sold(a1, dt.date(2022, 3, 1))
    visit(car, a1, dt.date(2025, 1, 10))
    visit(car, a2, dt.date(2026, 3, 10))
    snapshot = build(a1)
    state = state_of(snapshot, car)
    assert (state.state, state.defected, state.last_visit_dealer_id) == ("lapsed", True, a2.pk)
    assert state.last_home_visit_on == dt.date(2025, 1, 10)
    cell = DefectionCell.objects.get(snapshot=snapshot, dealer=a1)
    assert (cell.serviced_by_id, cell.vehicles) == (a2.pk, 1)


def test_retained_but_latest_visit_elsewhere_is_both_retained_and_defected(a1, a2):
    car = sold(a1, dt.date(2022, 3, 1))
    visit(car, a1, dt.date(2025, 9, 10))
    visit(car, a2, dt.date(2026, 5, 10))
    state = state_of(build(a1), car)
    assert (state.state, state.defected) == ("retained", True)


def test_a_visit_at_another_dealer_before_the_window_is_not_defection(a1, a2):
    car = sold(a1, dt.date(2022, 3, 1))
    visit(car, a2, dt.date(2025, 6, 1))
    state = state_of(build(a1), car)
    assert (state.state, state.defected, state.last_visit_dealer_id) == ("lost", False, None)


def test_an_ownership_transfer_keeps_the_vehicle_in_the_selling_dealers_base_under_its_new_owner(world, a1):
    car = sold(a1, dt.date(2022, 3, 1))
    visit(car, a1, dt.date(2026, 2, 1))
    buyer = CustomerFactory(dealer=a1)
    vehicle_transfer(scope=world.principals["oem_admin"].scope, vehicle=car, on=dt.date(2026, 3, 1), new_owner=buyer)
    state = state_of(build(a1), car)
    assert (state.dealer_id, state.owner_id, state.state) == (a1.pk, buyer.pk, "active")


@pytest.mark.parametrize(("delivered", "band"), [
    (dt.date(2025, 7, 1), 0), (dt.date(2025, 6, 30), 1), (dt.date(2023, 7, 1), 2), (dt.date(2021, 6, 30), 5),
    (dt.date(2020, 6, 30), 6), (dt.date(2018, 7, 1), 6), (dt.date(2018, 6, 30), 7), (dt.date(2001, 1, 1), 7),
])
def test_age_band_is_whole_years_since_delivery(a1, delivered, band):
    car = sold(a1, delivered)
    assert state_of(build(a1), car).age_band == band


def test_tenant_windows_change_the_definitions(a1):
    RetentionSettings.objects.create(tenant=a1.tenant, retained_months=24, active_months=12, lapsed_months=24,
                                     lost_months=36)
    car = sold(a1, dt.date(2020, 1, 1))
    visit(car, a1, dt.date(2025, 1, 10))
    snapshot = build(a1)
    assert state_of(snapshot, car).state == "retained"
    assert (snapshot.retained_months, snapshot.lost_months) == (24, 36)


def make_fleet(a1, a2):
    for n in range(12):
        car = sold(a1 if n % 3 else a2, dt.date(2016 + n % 10, 1 + n % 12, 1))
        if n % 2:
            visit(car, a1, dt.date(2026, 1 + n % 6, 5))
        if n % 5 == 0:
            visit(car, a2, dt.date(2025, 12, 1))
        if n % 4 == 0:
            visit(car, a1, dt.date(2024, 10, 1))


def test_rollups_equal_the_vehicle_states_summed(a1, a2):
    make_fleet(a1, a2)
    snapshot = build(a1)
    states = VehicleState.objects.filter(snapshot=snapshot)
    for dealer in (a1, a2):
        for band in range(8):
            rows = states.filter(dealer=dealer, age_band=band)
            rollup = Rollup.objects.filter(snapshot=snapshot, dealer=dealer, age_band=band).first()
            if not rows.exists():
                assert rollup is None
                continue
            assert rollup.owned_base == rows.count()
            assert rollup.retained == rows.filter(state__in=["active", "retained"]).count()
            assert rollup.active == rows.filter(state="active").count()
            assert rollup.lapsed == rows.filter(state="lapsed").count()
            assert rollup.lost == rows.filter(state="lost").count()
            assert rollup.new == rows.filter(state="new").count()
            assert rollup.defected == rows.filter(defected=True).count()
            assert rollup.region_id == dealer.region_id
    total = Rollup.objects.filter(snapshot=snapshot).aggregate(n=Sum("owned_base"))["n"]
    assert total == states.count() == snapshot.vehicles == 12
    assert DefectionCell.objects.filter(snapshot=snapshot).aggregate(n=Sum("vehicles"))["n"] == \
        states.filter(last_visit_dealer__isnull=False).count()


def test_activity_counts_the_month_to_t(a1):
    car = sold(a1, dt.date(2026, 6, 1))
    visit(car, a1, dt.date(2026, 6, 30), hour=23, amount=100)
    visit(car, a1, dt.date(2026, 5, 31), hour=23, amount=50)
    visit(car, a1, dt.date(2026, 7, 1), hour=0, amount=70)
    from tests.vehicles.factories import SaleFactory

    SaleFactory(dealer=a1, vehicle=car, delivered_on=dt.date(2026, 6, 1))
    row = Activity.objects.get(snapshot=build(a1), dealer=a1)
    assert (row.deliveries, row.visits, row.amount) == (1, 1, 100)


def test_rebuilding_a_date_replaces_its_snapshot(a1):
    car = sold(a1, dt.date(2022, 1, 1))
    first = build(a1)
    visit(car, a1, dt.date(2026, 6, 1))
    second = build(a1)
    assert Snapshot.objects.filter(tenant=a1.tenant, as_of=T).get() == second != first
    assert VehicleState.objects.filter(snapshot_id=first.pk).count() == 0
    assert Rollup.objects.filter(snapshot_id=first.pk).count() == 0
    assert state_of(second, car).state == "active"


def test_only_month_ends_and_the_newest_build_keep_vehicle_states(a1):
    sold(a1, dt.date(2022, 1, 1))
    month_end, nightly = build(a1, dt.date(2026, 5, 31)), build(a1, dt.date(2026, 6, 15))
    latest = build(a1, dt.date(2026, 6, 16))
    assert VehicleState.objects.filter(snapshot=month_end).count() == 1
    assert VehicleState.objects.filter(snapshot=nightly).count() == 0
    assert Rollup.objects.filter(snapshot=nightly).count() == 1
    assert Snapshot.objects.get(pk=nightly.pk).has_states is False
    assert VehicleState.objects.filter(snapshot=latest).count() == 1


def test_the_command_builds_for_the_tenant_and_date(a1, capsys):
    sold(a1, dt.date(2022, 1, 1))
    call_command("build_retention", "--tenant", a1.tenant.slug, "--as-of", "2026-06-30")
    assert Snapshot.objects.get(tenant=a1.tenant).vehicles == 1
    assert "1 vehicles" in capsys.readouterr().out


def test_other_tenants_are_not_in_the_snapshot(world):
    sold(world.dealers["B1"], dt.date(2022, 1, 1))
    assert build(world.dealers["A1"]).vehicles == 0


def test_the_beat_task_builds_each_tenant_with_its_scope(world):
    from crm_site.scope import Scope, ScopeError
    from retention.tasks import retention_build_task

    sold(world.dealers["A1"], dt.date(2022, 1, 1))
    retention_build_task(scope=Scope.system(world.tenants["A"].pk).as_task_args(), as_of="2026-06-30")
    assert Snapshot.objects.get(tenant=world.tenants["A"], as_of=T).vehicles == 1
    with pytest.raises(ScopeError):
        retention_build_task.delay(as_of="2026-06-30")
