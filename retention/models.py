"""Retention snapshots (DESIGN §9.5): per-vehicle states and the rollups the dashboards and the API read."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.models import ScopedManager, TenantOwned, dealer_scope_q, tenant_key
from crm_site.scope import Scope

from .choices import AgeBand, State


class RetentionSettings(TenantOwned):
    """The tenant's month windows of the retention definitions and the size under which a cell is marked."""

    tenant = models.OneToOneField("dealers.Tenant", on_delete=models.CASCADE, related_name="+", editable=False)
    retained_months = models.PositiveSmallIntegerField(_("retained: a visit within (months)"), default=12)
    active_months = models.PositiveSmallIntegerField(_("active: a visit within (months)"), default=6)
    lapsed_months = models.PositiveSmallIntegerField(_("lapsed: last seen more than (months) ago"), default=12)
    lost_months = models.PositiveSmallIntegerField(_("lost: last seen more than (months) ago"), default=24)
    small_base = models.PositiveIntegerField(_("mark cells with fewer vehicles than"), default=30)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(active_months__gte=1, active_months__lte=models.F("retained_months"),
                            lapsed_months__gte=1, lost_months__gt=models.F("lapsed_months")),
                name="retention_settings_windows_ordered",
                violation_error_message=_("Active ≤ retained, and lost must be longer than lapsed."),
            ),
        ]

    @classmethod
    def for_tenant(cls, tenant_id: int) -> RetentionSettings:
        """The tenant's settings (the defaults until HQ changes them)."""
        found = cls._base_manager.filter(tenant_id=tenant_id).first()
        return found or cls(tenant_id=tenant_id)


class Snapshot(TenantOwned):
    """One build for an as-of date, with the windows it used; rebuilding the date replaces it."""

    as_of = models.DateField(_("as of"))
    retained_months = models.PositiveSmallIntegerField()
    active_months = models.PositiveSmallIntegerField()
    lapsed_months = models.PositiveSmallIntegerField()
    lost_months = models.PositiveSmallIntegerField()
    vehicles = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # Month-end snapshots keep their vehicle states for drill-down; older nightly ones keep only the rollups.
    has_states = models.BooleanField(default=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [models.UniqueConstraint(fields=["tenant", "as_of"], name="retention_snapshot_unique_date")]


class VehicleState(models.Model):
    """One vehicle of a dealer's owned base (保有客户) at a snapshot's date: age band, last visits, its state."""

    tenant = tenant_key(db_index=False)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                                 db_constraint=False)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                               db_constraint=False)
    vehicle = models.ForeignKey("vehicles.Vehicle", on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                                db_constraint=False)
    owner = models.ForeignKey("customers.Customer", null=True, on_delete=models.DO_NOTHING, related_name="+",
                              db_index=False, db_constraint=False)
    age_band = models.PositiveSmallIntegerField(choices=AgeBand.choices)
    delivered_on = models.DateField()
    last_home_visit_on = models.DateField(null=True)
    last_seen_on = models.DateField()
    # The dealer of the vehicle's latest visit in the retained window, at any dealer of the tenant.
    last_visit_dealer = models.ForeignKey("dealers.Dealer", null=True, on_delete=models.DO_NOTHING, related_name="+",
                                          db_index=False, db_constraint=False)
    last_visit_on = models.DateField(null=True)
    state = models.CharField(max_length=8, choices=State.choices)
    defected = models.BooleanField(default=False)

    objects = ScopedManager()

    class Meta:
        indexes = [
            # A dealer's list of one state, newest contact first, read straight off the index (no sort).
            models.Index(fields=["snapshot", "dealer", "state", "last_seen_on", "id"],
                         name="retention_state_dealer_idx"),
            models.Index(fields=["snapshot", "dealer", "last_visit_on", "id"], condition=Q(defected=True),
                         name="retention_state_defected_idx"),
        ]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)


class Rollup(models.Model):
    """Counts of one dealer's owned base in one age band at a snapshot (region kept as it was at the build)."""

    tenant = tenant_key(db_index=False)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+", db_index=False)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.ForeignKey("dealers.Region", null=True, on_delete=models.SET_NULL, related_name="+",
                               db_index=False)
    age_band = models.PositiveSmallIntegerField(choices=AgeBand.choices)
    owned_base = models.PositiveIntegerField(default=0)
    retained = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    new = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    defected = models.PositiveIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "dealer"], name="retention_rollup_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)


class Activity(models.Model):
    """One dealer's month to the snapshot's date: deliveries, service visits and their amount."""

    tenant = tenant_key(db_index=False)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+", db_index=False)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.ForeignKey("dealers.Region", null=True, on_delete=models.SET_NULL, related_name="+",
                               db_index=False)
    deliveries = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "dealer"], name="retention_activity_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)


class DefectionCell(models.Model):
    """Vehicles sold by `dealer` whose latest visit in the window was at `serviced_by` (the diagonal stayed home)."""

    tenant = tenant_key(db_index=False)
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+", db_index=False)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+", db_index=False)
    serviced_by = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+", db_index=False)
    vehicles = models.PositiveIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "dealer"], name="retention_defection_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A dealer sees the cars it sold serviced elsewhere and its own workshop's share of others' cars."""
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is not None:
            q &= Q(dealer_id__in=scope.dealer_ids) | Q(serviced_by_id__in=scope.dealer_ids)
        return q


class CustomerValue(models.Model):
    """A customer's value as of the last build: RFM quintile scores, the 3R and the tier (retention/value.py)."""

    class Tier(models.TextChoices):
        CORE = "core", _("Core")
        GROWTH = "growth", _("Growth")
        AT_RISK = "at_risk", _("At risk")
        DORMANT = "dormant", _("Dormant")

    tenant = tenant_key(db_index=False)
    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="value")
    as_of = models.DateField(_("as of"))
    recency_days = models.PositiveIntegerField(_("days since the last visit"), null=True)
    visits = models.PositiveIntegerField(_("visits (24 months)"))
    spend = models.DecimalField(_("spend (¥, 24 months)"), max_digits=14, decimal_places=2)
    r = models.PositiveSmallIntegerField("R")
    f = models.PositiveSmallIntegerField("F")
    m = models.PositiveSmallIntegerField("M")
    vehicles_bought = models.PositiveIntegerField(_("vehicles bought"))
    rebuy = models.BooleanField(_("rebuy"))
    related = models.PositiveIntegerField(_("related purchases"))
    referrals = models.PositiveIntegerField(_("referrals"))
    referrals_won = models.PositiveIntegerField(_("referrals won"))
    tier = models.CharField(_("value tier"), max_length=16, choices=Tier.choices)

    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["tenant", "tier"], name="customer_value_tier_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """The values of the customers the scope sees."""
        from customers.models import linked_to_scope

        return linked_to_scope(scope, "customer_id")


from .campaigns.models import Campaign, CampaignMember  # noqa: E402,F401  (win-back campaigns, retention/campaigns/)
from .segments.models import AnalysisRun, AssociationRule, Cluster, CustomerCluster  # noqa: E402,F401  (issue 13)
