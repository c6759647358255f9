"""Dealer workflows: a sale in one step, a walk-in service visit, ownership transfer."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer, CustomerDealer
from vehicles.models import Ownership, Sale, ServiceVisit, Vehicle, VehicleDealer
from vehicles.services import sale_record, service_visit_record, vehicle_transfer

VIN = "LFV2A21K1C4000001"


def scope_of(world, name):
    return world.principals[name].scope


def test_sale_creates_customer_vehicle_and_links_in_one_step(world):
    scope = scope_of(world, "sales_consultant")
    dealer = world.dealers["A1"].pk
    person = {"name": "王小明", "mobile": "13812345678"}
    sale, created = sale_record(scope=scope, dealer_id=dealer, customer_data=person,
                                vehicle_data={"vin": VIN.lower(), "plate": "京A12345"}, delivered_on=date(2025, 3, 1),
                                consultant=world.principals["sales_consultant"].user, price=150000, external_id="S1")
    vehicle = Vehicle.objects.get(vin=VIN)
    assert vehicle.owner == sale.customer and vehicle.selling_dealer_id == dealer and vehicle.plate == "京A12345"
    assert CustomerDealer.objects.filter(customer=sale.customer, dealer_id=dealer).exists()
    assert VehicleDealer.objects.filter(vehicle=vehicle, dealer_id=dealer).exists()
    assert Ownership.objects.get(vehicle=vehicle).customer == sale.customer
    again, again_created = sale_record(scope=scope, dealer_id=dealer, customer_data=person,
                                       vehicle_data={"vin": VIN}, delivered_on=date(2025, 3, 1), external_id="S1")
    assert again.pk == sale.pk and Sale.objects.count() == 1 and Customer.objects.count() == 1
    assert created and not again_created


def test_a_sale_wins_its_lead_with_the_stage_history(world):
    from customers.models import LeadStageChange
    from tests.customers.factories import LeadFactory

    a1 = world.dealers["A1"]
    lead = LeadFactory(dealer=a1, stage="new")
    sale, _created = sale_record(scope=scope_of(world, "sales_consultant"), dealer_id=a1.pk, customer=lead.customer,
                                 customer_data={}, vehicle_data={"vin": VIN}, delivered_on=date(2025, 3, 1), lead=lead)
    lead.refresh_from_db()
    assert lead.stage == "won" and lead.first_contacted_at is not None
    change = LeadStageChange.objects.get(lead=lead, to_stage="won")
    assert (change.from_stage, change.note) == ("new", "sale")


def test_a_sale_to_another_customer_cannot_win_the_lead(world):
    from tests.customers.factories import CustomerFactory, LeadFactory

    a1 = world.dealers["A1"]
    lead = LeadFactory(dealer=a1, stage="negotiation")
    with pytest.raises(ValidationError) as error:
        sale_record(scope=scope_of(world, "sales_consultant"), dealer_id=a1.pk, customer=CustomerFactory(dealer=a1),
                    customer_data={}, vehicle_data={"vin": VIN}, delivered_on=date(2025, 3, 1), lead=lead)
    assert "lead" in error.value.message_dict
    lead.refresh_from_db()
    assert lead.stage == "negotiation" and not Sale.objects.exists()


def test_bad_vin_is_a_field_error(world):
    with pytest.raises(ValidationError) as error:
        sale_record(scope=scope_of(world, "sales_consultant"), dealer_id=world.dealers["A1"].pk,
                    customer_data={"name": "x"}, vehicle_data={"vin": "LFV2A21K0C4000001"}, delivered_on=date.today())
    assert error.value.code == "invalid_check_digit" or "vin" in str(error.value).lower() or error.value.messages


def test_walk_in_sold_by_another_dealer_is_linked_to_the_servicing_dealer(world):
    seller = world.dealers["A2"].pk
    sale, _created = sale_record(scope=scope_of(world, "oem_admin"), dealer_id=seller,
                       customer_data={"name": "李雷", "mobile": "13900001111"}, vehicle_data={"vin": VIN},
                       delivered_on=date(2024, 5, 1))
    advisor_scope = scope_of(world, "service_advisor")
    vehicle = Vehicle.objects.get(vin=VIN)
    assert not Vehicle.objects.scoped(advisor_scope).filter(pk=vehicle.pk).exists()
    visit, _created = service_visit_record(scope=advisor_scope, dealer_id=world.dealers["A1"].pk, vin=VIN,
                                 kind="maintenance", opened_at="2025-06-01T09:30:00+08:00", mileage_km=12000,
                                 advisor=world.principals["service_advisor"].user)
    assert visit.customer_id == sale.customer_id
    assert Vehicle.objects.scoped(advisor_scope).filter(pk=vehicle.pk).exists()
    assert Customer.objects.scoped(advisor_scope).filter(pk=sale.customer_id).exists()
    vehicle.refresh_from_db()
    assert vehicle.mileage_km == 12000 and vehicle.selling_dealer_id == seller


def test_visit_by_plate_and_unknown_plate(world):
    scope = scope_of(world, "service_advisor")
    dealer = world.dealers["A1"].pk
    sale_record(scope=scope_of(world, "oem_admin"), dealer_id=dealer, customer_data={"name": "韩梅梅"},
                vehicle_data={"vin": VIN, "plate": "粤BD12345"}, delivered_on=date(2024, 1, 1))
    visit, _created = service_visit_record(scope=scope, dealer_id=dealer, plate="粤B D12345", kind="repair",
                                 opened_at="2025-01-01T10:00:00+08:00")
    assert visit.vehicle.vin == VIN
    with pytest.raises(ValidationError) as error:
        service_visit_record(scope=scope, dealer_id=dealer, plate="京A99999", kind="repair",
                             opened_at="2025-01-01T10:00:00+08:00")
    assert "plate" in error.value.message_dict


def test_visit_cannot_close_before_it_opens(world):
    with pytest.raises(ValidationError):
        service_visit_record(scope=scope_of(world, "service_advisor"), dealer_id=world.dealers["A1"].pk, vin=VIN,
                             kind="repair", opened_at="2025-01-02T10:00:00+08:00",
                             closed_at="2025-01-01T10:00:00+08:00")
    assert ServiceVisit.objects.count() == 0 and Vehicle.objects.count() == 0


def test_transfer_ends_old_ownership_and_starts_new(world):
    scope = scope_of(world, "sales_consultant")
    dealer = world.dealers["A1"].pk
    sale, _created = sale_record(scope=scope, dealer_id=dealer, customer_data={"name": "甲"}, vehicle_data={"vin": VIN},
                       delivered_on=date(2022, 1, 1))
    vehicle = Vehicle.objects.get(vin=VIN)
    ownership = vehicle_transfer(scope=scope, vehicle=vehicle, on=date(2025, 1, 1), dealer_id=dealer,
                                 customer_data={"name": "乙", "mobile": "13900009999"})
    vehicle.refresh_from_db()
    assert vehicle.owner_id == ownership.customer_id != sale.customer_id
    assert Ownership.objects.get(vehicle=vehicle, customer=sale.customer).ended_on == date(2025, 1, 1)
