"""A win-back campaign (召回活动) and its frozen members: called, held out as control, or excluded with the reason."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callcenter.choices import WorkedBy
from crm_site.models import ScopedManager, TenantOwned, dealer_scope_q, tenant_key
from crm_site.scope import Scope

# Days after the reference moment (first contact, or the launch for those never contacted) a visit counts as a return.
RETURN_DAYS = 90
# How long a campaign's tasks stay callable (the rule's due window).
CALL_WINDOW_DAYS = 30


class MemberGroup(models.TextChoices):
    CALLED = "called", _("Called")
    CONTROL = "control", _("Control (not called)")
    EXCLUDED = "excluded", _("Excluded")


class Campaign(TenantOwned):
    """A segment, its script and who calls it; frozen into members and follow-up tasks when launched."""

    name = models.CharField(_("name"), max_length=100)
    # The segment's place: one dealer, or one region, or (HQ only) the whole network.
    dealer = models.ForeignKey("dealers.Dealer", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("dealer"))
    region = models.ForeignKey("dealers.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    # The other criteria by name (retention.campaigns.criteria.CRITERIA): states, age_bands, series, tiers, …
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    script = models.TextField(_("script"), max_length=4000,
                              help_text=_("Placeholders: {customer}, {model}, {vin}, {plate}, {dealer}, {date}, "
                                          "{due_on}, {agent}."))
    worked_by = models.CharField(_("worked by"), max_length=16, choices=WorkedBy.choices, default=WorkedBy.DEALER)
    control_share = models.PositiveSmallIntegerField(
        _("control share (%)"), default=10, validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("Share of the callable customers held out and not called, to measure the campaign against."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))
    # Set by the launch: the follow-up rule that carries the script, the snapshot the segment was read from.
    rule = models.OneToOneField("callcenter.FollowUpRule", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="campaign", editable=False)
    snapshot_as_of = models.DateField(_("segment as of"), null=True, blank=True, editable=False)
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True, editable=False)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    # {"members", "called", "control", "excluded": {reason: n}, "tasks": followups_add's answer}
    launch_result = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(control_share__gte=0, control_share__lte=50),
                                   name="campaign_control_share_range",
                                   violation_error_message=_("The control share is 0 to 50 %.")),
        ]
        indexes = [models.Index(fields=["tenant", "dealer"], name="campaign_tenant_dealer_idx")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """HQ sees every campaign; a region its region's and its dealers'; a store its own store's."""
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is None:
            return q
        mine = Q(dealer_id__in=scope.dealer_ids)
        from dealers.choices import Role

        if scope.role == Role.REGION_MANAGER and scope.region_id:
            mine |= Q(dealer__isnull=True, region_id=scope.region_id)
        return q & mine

    @property
    def is_launched(self) -> bool:
        return self.launched_at is not None


class CampaignMember(models.Model):
    """One customer of a launched campaign, frozen: the group drawn, the reason of an exclusion, the task made."""

    tenant = tenant_key(db_index=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members", db_index=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", db_index=False)
    vehicle = models.ForeignKey("vehicles.Vehicle", on_delete=models.PROTECT, related_name="+", db_index=False)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+", db_index=False)
    group = models.CharField(_("group"), max_length=16, choices=MemberGroup.choices)
    # Why an excluded member is not called (callcenter.choices.SkipReason values); empty otherwise.
    reason = models.CharField(_("reason"), max_length=24, blank=True)
    task = models.ForeignKey("callcenter.FollowUpTask", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_index=False)

    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_member_once")]
        indexes = [models.Index(fields=["campaign", "group", "id"], name="campaign_member_group_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)
