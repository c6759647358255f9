"""Writes of a campaign: create it (a draft), launch it (members frozen, tasks made, once), all audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.campaigns import followups_add
from callcenter.choices import Trigger
from callcenter.models import FollowUpRule
from crm_site.models import audit
from crm_site.scope import Scope

from .criteria import campaign_criteria, segment_rows, segment_snapshot
from .models import CALL_WINDOW_DAYS, Campaign, CampaignMember, MemberGroup
from .segment import PURPOSE, counts, segment_freeze

FIELDS = ("name", "dealer", "region", "criteria", "script", "worked_by", "control_share")


def _place(scope: Scope, values: dict) -> dict:
    """Where the segment lies, inside the scope: a store's own dealer, a region manager's region unless a dealer of
    it is named; HQ may leave both out (the whole network). A dealer named makes the region redundant."""
    from dealers.choices import DEALER_ROLES, Role
    from dealers.models import Dealer, Region

    dealer, region = values.get("dealer"), values.get("region")
    if dealer is not None and not scope.sees_dealer(dealer.pk):
        raise ValidationError({"dealer": [_("Choose a dealer you work with.")]})
    if region is not None and not Region.objects.scoped(scope).filter(pk=region.pk).exists():
        raise ValidationError({"region": [_("Choose your own region.")]})
    if dealer is None and not scope.is_tenant_wide:
        if scope.role in DEALER_ROLES and scope.single_dealer_id is not None:
            dealer = Dealer.objects.get(pk=scope.single_dealer_id)
        elif region is None and scope.role == Role.REGION_MANAGER and scope.region_id:
            region = Region.objects.filter(tenant_id=scope.tenant_id, pk=scope.region_id).first()
        if dealer is None and region is None:
            raise ValidationError({"dealer": [_("Choose a dealer.")]})
    if dealer is not None and region is not None and dealer.region_id != region.pk:
        raise ValidationError({"dealer": [_("This dealer is not in the region chosen.")]})
    return {"dealer": dealer, "region": None if dealer is not None else region}


@transaction.atomic
def campaign_create(*, scope: Scope, data: dict) -> Campaign:
    """A draft campaign of the tenant, placed inside the scope (a dealer, a region or, for HQ, the network)."""
    values = {name: data[name] for name in FIELDS if name in data}
    values |= _place(scope, values)
    campaign = Campaign(tenant_id=scope.tenant_id, created_by_id=scope.user_id, **values)
    campaign.full_clean()
    campaign.save()
    audit(scope, "campaign.create", campaign, name=campaign.name, criteria=campaign_criteria(campaign),
          control_share=campaign.control_share, worked_by=campaign.worked_by)
    return campaign


def _rule_for(campaign: Campaign) -> FollowUpRule:
    """The campaign's own follow-up rule (trigger campaign): its queue, who calls, and the script the agent reads."""
    rule = FollowUpRule(tenant_id=campaign.tenant_id, code=f"campaign-{campaign.pk}", name=campaign.name[:100],
                        trigger=Trigger.CAMPAIGN, offset_days=0, queue=f"campaign-{campaign.pk}",
                        worked_by=campaign.worked_by, purpose=PURPOSE, due_window_days=CALL_WINDOW_DAYS,
                        priority=6, script=campaign.script, is_active=True)
    rule.full_clean()
    rule.save()
    return rule


RECLASSIFY_SQL = """
UPDATE retention_campaignmember m SET "group" = 'excluded', reason = 'not_created'
WHERE m.campaign_id = %s AND m."group" = 'called' AND m.task_id IS NULL
RETURNING m.id
"""
LINK_TASKS_SQL = """
UPDATE retention_campaignmember m SET task_id = t.id
FROM callcenter_followuptask t
WHERE m.campaign_id = %s AND m."group" = 'called' AND t.rule_id = %s AND t.subject_id = m.vehicle_id
  AND t.occurrence = %s
"""


def campaign_launch(*, scope: Scope, campaign: Campaign, now: dt.datetime | None = None) -> dict:
    """Freeze the segment into members, hold the control group out, make the called group's tasks; once.

    A second launch changes nothing and answers the first one's figures with "already": True.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.is_launched:
            return {**campaign.launch_result, "already": True}
        snapshot = segment_snapshot(scope)
        if snapshot is None:
            raise ValidationError(_("No retention snapshot with vehicle lists yet: build one first."))
        rows = segment_rows(scope, snapshot, campaign_criteria(campaign))
        frozen = segment_freeze(rows, tenant_id=scope.tenant_id, campaign_id=campaign.pk, day=today,
                                seed=str(campaign.pk), share=campaign.control_share)
        campaign.rule = _rule_for(campaign)
        subjects = [{"dealer_id": dealer_id, "customer_id": customer_id, "vehicle_id": vehicle_id,
                     "subject_id": vehicle_id, "occurrence": today}
                    for group, _reason, customer_id, vehicle_id, dealer_id in frozen if group == MemberGroup.CALLED]
        tasks = followups_add(scope=scope, rule=campaign.rule, subjects=subjects, on=today, campaign_id=campaign.pk)
        with connection.cursor() as cursor:
            cursor.execute(LINK_TASKS_SQL, [campaign.pk, campaign.rule.pk, today])
            # Whatever followups_add skipped (counted in `tasks`) is not called: kept as excluded, not lost.
            cursor.execute(RECLASSIFY_SQL, [campaign.pk])
            not_created = cursor.rowcount
        figures = counts([(group, reason, 1) for group, reason, *_ in frozen])
        figures["called"] -= not_created
        if not_created:
            figures["excluded"]["not_created"] = not_created
        campaign.launch_result = {**figures, "tasks": tasks, "snapshot": snapshot.as_of.isoformat()}
        campaign.snapshot_as_of = snapshot.as_of
        campaign.launched_at, campaign.launched_by_id = now, scope.user_id
        campaign.save(update_fields=["rule", "launch_result", "snapshot_as_of", "launched_at", "launched_by",
                                     "updated_at"])
        audit(scope, "campaign.launch", campaign, members=figures["segment"], called=figures["called"],
              control=figures["control"], excluded=figures["excluded"], tasks=tasks)
    return {**campaign.launch_result, "already": False}


def members_of(scope: Scope, campaign: Campaign):
    """The campaign's members the scope sees."""
    return CampaignMember.objects.scoped(scope).filter(campaign=campaign)


def members_merge(survivor, merged) -> int:
    """A merge moves the duplicate's memberships, except in campaigns the survivor is already in (kept as drawn)."""
    rows = CampaignMember.objects.filter(tenant_id=survivor.tenant_id, customer=merged)
    rows.filter(campaign__in=CampaignMember.objects.filter(customer=survivor).values("campaign")).delete()
    return rows.update(customer=survivor)
