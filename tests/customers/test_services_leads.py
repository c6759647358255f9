"""Leads: balanced assignment, validated moves, and the 24-hour uncontacted alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from crm_site.models import Notification
from crm_site.scope import Scope
from customers.choices import LeadSource, LeadStage, LostReason
from customers.leads import lead_assign, lead_create, lead_move, leads_flag_uncontacted
from customers.models import Lead
from customers.tasks import leads_flag_uncontacted_all_tenants
from dealers.choices import Role
from tests.dealers.factories import UserFactory


@pytest.fixture
def consultants(world):
    dealer = world.dealers["A1"]
    first = world.principals["sales_consultant"].user
    second = UserFactory(dealer=dealer, tenant=dealer.tenant, role=Role.SALES_CONSULTANT, username="second")
    UserFactory(dealer=dealer, tenant=dealer.tenant, role=Role.SALES_CONSULTANT, username="gone", is_active=False)
    return first, second


def new_lead(world, n: int, **kwargs) -> Lead:
    return lead_create(scope=world.principals["dealer_manager"].scope, dealer_id=world.dealers["A1"].pk,
                       source=LeadSource.WALK_IN, customer_data={"name": f"客户{n}", "mobile": f"139{n:08d}"},
                       **kwargs)


def test_new_leads_go_to_the_least_loaded_active_consultant(world, consultants):
    first, second = consultants
    leads = [new_lead(world, n) for n in range(5)]
    counts = {user.pk: sum(1 for lead in leads if lead.assigned_to_id == user.pk) for user in consultants}
    assert sorted(counts.values()) == [2, 3]
    assert all(lead.assigned_to.is_active for lead in leads)


def test_a_consultant_with_more_open_leads_gets_fewer(world, consultants):
    first, second = consultants
    for n in range(3):
        new_lead(world, n, assigned_to=first)
    later = [new_lead(world, 10 + n) for n in range(3)]
    assert [lead.assigned_to_id for lead in later] == [second.pk, second.pk, second.pk]


def test_closed_leads_do_not_count_as_load(world, consultants):
    first, second = consultants
    scope = world.principals["dealer_manager"].scope
    for n in range(3):
        lead = new_lead(world, n, assigned_to=first)
        lead_move(scope=scope, lead=lead, stage=LeadStage.LOST, lost_reason=LostReason.PRICE)
    assert new_lead(world, 9).assigned_to_id == first.pk


def test_consultant_of_another_dealer_cannot_be_assigned(world, consultants):
    other = UserFactory(dealer=world.dealers["A2"], tenant=world.tenants["A"], role=Role.SALES_CONSULTANT)
    lead = new_lead(world, 1)
    with pytest.raises(ValidationError):
        lead_assign(scope=world.principals["dealer_manager"].scope, lead=lead, user=other)
    lead_assign(scope=world.principals["dealer_manager"].scope, lead=lead, user=consultants[1])
    assert lead.assigned_to == consultants[1]


def test_stage_moves_follow_the_funnel(world, consultants):
    scope = world.principals["sales_consultant"].scope
    lead = new_lead(world, 1)
    with pytest.raises(ValidationError):
        lead_move(scope=scope, lead=lead, stage=LeadStage.WON)
    lead_move(scope=scope, lead=lead, stage=LeadStage.CONTACTED)
    assert lead.first_contacted_at is not None
    with pytest.raises(ValidationError) as error:
        lead_move(scope=scope, lead=lead, stage=LeadStage.LOST)
    assert "lost_reason" in error.value.message_dict
    lead_move(scope=scope, lead=lead, stage=LeadStage.LOST, lost_reason=LostReason.COMPETITOR)
    assert list(lead.stage_changes.values_list("to_stage", flat=True)) == ["new", "contacted", "lost"]


def test_referral_needs_the_referring_customer(world, consultants):
    with pytest.raises(ValidationError):
        lead_create(scope=world.principals["dealer_manager"].scope, dealer_id=world.dealers["A1"].pk,
                    source=LeadSource.REFERRAL, customer_data={"name": "新客户"})


def test_uncontacted_leads_are_flagged_once_and_the_manager_alerted(world, consultants):
    old = [new_lead(world, n) for n in range(2)]
    fresh = new_lead(world, 5)
    Lead.objects.filter(pk__in=[lead.pk for lead in old]).update(created_at=timezone.now() - timedelta(hours=25))
    scope = Scope.system(world.tenants["A"].pk)
    assert leads_flag_uncontacted(scope=scope) == 2
    assert leads_flag_uncontacted(scope=scope) == 0
    fresh.refresh_from_db()
    assert fresh.overdue_alerted_at is None
    note = Notification.objects.get(user=world.principals["dealer_manager"].user)
    assert "2" in note.text
    assert leads_flag_uncontacted_all_tenants.delay().get() == 2


def test_a_lead_is_won_only_by_its_sale_never_moved_there(world, consultants):
    scope = world.principals["sales_consultant"].scope
    lead = new_lead(world, 1)
    lead_move(scope=scope, lead=lead, stage=LeadStage.CONTACTED)
    lead_move(scope=scope, lead=lead, stage=LeadStage.NEGOTIATION)
    with pytest.raises(ValidationError) as error:
        lead_move(scope=scope, lead=lead, stage=LeadStage.WON)
    with translation.override("en"):
        assert "record the sale" in str(error.value.error_dict["stage"][0].message)
    lead.refresh_from_db()
    assert lead.stage == LeadStage.NEGOTIATION


def test_a_move_note_longer_than_its_field_is_refused_not_cut(world, consultants):
    lead = new_lead(world, 1)
    with pytest.raises(ValidationError) as error:
        lead_move(scope=world.principals["sales_consultant"].scope, lead=lead, stage=LeadStage.CONTACTED,
                  note="记" * 256)
    assert "note" in error.value.message_dict


def test_the_lead_alert_command_runs_for_a_tenant_at_a_given_moment(world):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command

    lead = new_lead(world, 1)
    at = (lead.created_at + timedelta(hours=25)).isoformat()
    out = StringIO()
    call_command("flag_uncontacted_leads", "--tenant", world.tenants["A"].slug, "--at", at, stdout=out)
    assert out.getvalue().startswith("1 lead(s) flagged")
    call_command("flag_uncontacted_leads", "--tenant", world.tenants["A"].slug, "--at", at, stdout=out)
    assert "0 lead(s) flagged" in out.getvalue()
