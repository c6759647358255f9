"""Writes of leads: create with balanced assignment, reassign, move through the funnel, flag the uncontacted."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.models import audit, notify
from crm_site.scope import Scope
from dealers.choices import Role
from dealers.models import Dealer, User

from . import choices
from .models import Customer, Lead, LeadStageChange
from .services import customer_link_dealer, customer_upsert

UNCONTACTED_AFTER = timedelta(hours=24)
MOVE_NOTE_MAX_LENGTH = 255  # LeadStageChange.note


def uncontacted_q(now) -> Q:
    """New leads nobody contacted within 24 hours of their creation."""
    return Q(stage=choices.LeadStage.NEW, first_contacted_at__isnull=True, created_at__lt=now - UNCONTACTED_AFTER)


def overdue_q(now=None) -> Q:
    """The one meaning of an overdue lead (board, API filter, alerts): an open lead past its next action date, or a
    new one nobody contacted within 24 hours."""
    now = now or timezone.now()
    late = Q(stage__in=choices.OPEN_LEAD_STAGES, next_action_on__lt=timezone.localdate(now))
    return late | uncontacted_q(now)


def consultant_with_least_open_leads(dealer_id: int) -> User | None:
    """The dealer's active sales consultant with the fewest open leads (ties: the longest-serving)."""
    return (
        User.objects.filter(dealer_id=dealer_id, role=Role.SALES_CONSULTANT, is_active=True)
        .annotate(open_leads=Count("leads", filter=Q(leads__stage__in=choices.OPEN_LEAD_STAGES)))
        .order_by("open_leads", "pk")
        .first()
    )


def _check_assignee(lead_dealer_id: int, user: User | None) -> None:
    if user is not None and (user.dealer_id != lead_dealer_id or user.role != Role.SALES_CONSULTANT
                             or not user.is_active):
        raise ValidationError({"assigned_to": [_("Choose an active sales consultant of the lead's dealer.")]})


@transaction.atomic
def lead_create(*, scope: Scope, dealer_id: int, source: str, customer: Customer | None = None,
                customer_data: dict | None = None, referred_by: Customer | None = None, interested_model=None,
                assigned_to: User | None = None, next_action_on=None, external_id: str = "",
                notes: str = "") -> Lead:
    """Open a lead for a new or known customer and give it to a consultant (the least loaded unless chosen)."""
    if customer is None:
        customer, _created = customer_upsert(scope=scope, dealer_id=dealer_id, data=customer_data or {},
                                             link_kind=choices.LinkKind.LEAD)
    else:
        # A lead given to another dealer (a hotline lead) must let that dealer see its customer.
        customer_link_dealer(customer=customer, dealer_id=dealer_id, kind=choices.LinkKind.LEAD)
    if source == choices.LeadSource.REFERRAL and referred_by is None:
        raise ValidationError({"referred_by": [_("Say which customer referred this lead.")]})
    # Lock the dealer row: concurrent leads of one dealer are assigned one after the other, so the load stays balanced.
    Dealer.objects.select_for_update().filter(pk=dealer_id).first()
    _check_assignee(dealer_id, assigned_to)
    lead = Lead(
        tenant_id=scope.tenant_id, dealer_id=dealer_id, customer=customer, source=source, referred_by=referred_by,
        interested_model=interested_model, assigned_to=assigned_to or consultant_with_least_open_leads(dealer_id),
        next_action_on=next_action_on, external_id=external_id, notes=notes, stage=choices.LeadStage.NEW,
        stage_changed_at=timezone.now(),
    )
    lead.full_clean(exclude=["tenant", "dealer", "customer"])
    lead.save()
    LeadStageChange.objects.create(tenant_id=lead.tenant_id, lead=lead, to_stage=lead.stage,
                                   changed_by_id=scope.user_id, note="created")
    return lead


@transaction.atomic
def lead_assign(*, scope: Scope, lead: Lead, user: User) -> Lead:
    """Reassign a lead to another consultant of its dealer (the dealer manager's call)."""
    _check_assignee(lead.dealer_id, user)
    lead.assigned_to = user
    lead.save(update_fields=["assigned_to", "updated_at"])
    audit(scope, "lead.assign", lead, assigned_to=user.pk)
    return lead


@transaction.atomic
def lead_move(*, scope: Scope, lead: Lead, stage: str, lost_reason: str = "", note: str = "") -> Lead:
    """Move a lead to another stage along the allowed transitions; losing it needs a reason.

    A lead is won only by a sale (lead_win, called by sale_record): moving it to "won" by hand is refused.
    """
    if stage == choices.LeadStage.WON:
        raise ValidationError({"stage": [_("A lead is won by its sale: record the sale from the lead instead.")]})
    allowed = choices.LEAD_TRANSITIONS.get(lead.stage, frozenset())
    if stage not in allowed:
        raise ValidationError({"stage": [_("A lead cannot move from %(from)s to %(to)s.") % {
            "from": choices.LeadStage(lead.stage).label, "to": dict(choices.LeadStage.choices).get(stage, stage)}]})
    if len(note) > MOVE_NOTE_MAX_LENGTH:
        raise ValidationError({"note": [_("Keep the note to %(max)d characters or fewer.") % {
            "max": MOVE_NOTE_MAX_LENGTH}]})
    if stage == choices.LeadStage.LOST and not lost_reason:
        raise ValidationError({"lost_reason": [_("Say why the lead was lost.")]})
    now = timezone.now()
    LeadStageChange.objects.create(tenant_id=lead.tenant_id, lead=lead, from_stage=lead.stage, to_stage=stage,
                                   changed_by_id=scope.user_id, note=note)
    lead.stage = stage
    lead.stage_changed_at = now
    lead.lost_reason = lost_reason if stage == choices.LeadStage.LOST else ""
    if stage != choices.LeadStage.NEW and lead.first_contacted_at is None:
        lead.first_contacted_at = now
    lead.save(update_fields=["stage", "stage_changed_at", "lost_reason", "first_contacted_at", "updated_at"])
    return lead


@transaction.atomic
def lead_win(*, scope: Scope, lead: Lead, customer_id: int, note: str = "sale") -> Lead:
    """A delivery wins its lead, from whatever stage it is in (the sale is the proof), with its stage history.

    The sale must be to the lead's own customer: a lead never counts as won by somebody else's purchase.
    """
    if lead.customer_id != customer_id:
        raise ValidationError({"lead": [_("This lead belongs to another customer.")]})
    if lead.stage == choices.LeadStage.WON:
        return lead
    now = timezone.now()
    LeadStageChange.objects.create(tenant_id=lead.tenant_id, lead=lead, from_stage=lead.stage,
                                   to_stage=choices.LeadStage.WON, changed_by_id=scope.user_id, note=note)
    lead.stage, lead.stage_changed_at, lead.lost_reason = choices.LeadStage.WON, now, ""
    lead.first_contacted_at = lead.first_contacted_at or now
    lead.save(update_fields=["stage", "stage_changed_at", "lost_reason", "first_contacted_at", "updated_at"])
    return lead


def leads_flag_uncontacted(*, scope: Scope, now=None) -> int:
    """Flag the tenant's new leads nobody contacted within 24 hours and alert each dealer's manager; returns the count."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = Lead.objects.filter(uncontacted_q(now), tenant_id=scope.tenant_id, overdue_alerted_at__isnull=True)
        if scope.dealer_ids is not None:
            overdue = overdue.filter(dealer_id__in=scope.dealer_ids)
        per_dealer = dict(
            overdue.values_list("dealer_id").annotate(n=Count("id")).values_list("dealer_id", "n")
        )
        flagged = overdue.update(overdue_alerted_at=now)
        managers = User.objects.filter(dealer_id__in=per_dealer, role=Role.DEALER_MANAGER, is_active=True)
        for manager in managers:
            notify(tenant_id=scope.tenant_id, users=[manager], kind="lead.uncontacted",
                   text=_("%(count)d new leads were not contacted within 24 hours.") % {
                       "count": per_dealer[manager.dealer_id]},
                   link="/customers/leads/?overdue=1")
    return flagged
