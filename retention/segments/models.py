"""Stored analyses (issue 13): a run of the segmentation or of the rule mining, its clusters, members and rules.

Imported by retention/models.py, so the models belong to the retention app and its migrations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.models import ScopedManager, TenantOwned, tenant_key
from crm_site.scope import Scope


def aggregate_scope_q(scope: Scope) -> Q:
    """Tenant-wide aggregates: every staff scope of the tenant, and API clients that see the whole tenant.

    Who may open them at all is SEGMENT_VIEW (retention/access.py); a dealer's system reads no network aggregates.
    """
    if scope.is_api_client and not scope.is_tenant_wide:
        return Q(pk__in=[])
    return Q(tenant_id=scope.tenant_id)


class AnalysisRun(TenantOwned):
    """One background run of the segmentation (k-means) or of the association rules, with its parameters."""

    class Kind(models.TextChoices):
        SEGMENTS = "segments", _("Customer segments")
        RULES = "rules", _("Association rules")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    tenant = tenant_key(db_index=False)
    kind = models.CharField(_("analysis"), max_length=16, choices=Kind.choices)
    as_of = models.DateField(_("as of"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(max_length=32, blank=True)  # a key of jobs.STEPS, translated when shown
    # The error as stored message entries (msgid + params), translated for whoever reads it.
    error_entries = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    customers = models.PositiveIntegerField(_("customers analysed"), default=0)
    # What the run found besides its rows: the k chosen and the silhouettes tried, the overall profile, counts.
    summary = models.JSONField(default=dict, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "kind", "status", "-finished_at"], name="retention_run_latest_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return aggregate_scope_q(scope)

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Cluster(models.Model):
    """One k-means cluster of a segmentation run: its size, value and the attributes that set it apart."""

    tenant = tenant_key(db_index=False)
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="clusters")
    number = models.PositiveSmallIntegerField(_("cluster"))
    size = models.PositiveIntegerField(_("customers"))
    share = models.FloatField(_("share of the base"))
    r = models.FloatField("R")
    f = models.FloatField("F")
    m = models.FloatField("M")
    visits = models.FloatField(_("visits (24 months)"))
    spend = models.FloatField(_("spend (¥, 24 months)"))
    tier_mix = models.JSONField(default=dict)  # tier → share of the cluster
    # The distinguishing attributes, most telling first (clustering.Trait dicts); the sentence is built from them.
    traits = models.JSONField(default=list)
    # Means of the numeric attributes and the share of each category, for the table beside the sentence.
    profile = models.JSONField(default=dict)

    objects = ScopedManager()

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="retention_cluster_unique_number")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return aggregate_scope_q(scope)


class CustomerCluster(models.Model):
    """A customer's cluster in one segmentation run (what a win-back campaign filters by)."""

    pk = models.CompositePrimaryKey("run_id", "customer_id")
    tenant = tenant_key(db_index=False)
    # The primary key (run, customer) and the (run, cluster) index serve every read: no index of its own.
    run = models.ForeignKey(AnalysisRun, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False,
                            db_index=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False, db_index=False)
    cluster = models.PositiveSmallIntegerField()

    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["run", "cluster"], name="retention_member_cluster_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Memberships of the customers the scope sees."""
        from customers.models import linked_to_scope

        return linked_to_scope(scope, "customer_id")


class AssociationRule(models.Model):
    """Customers with these attributes bought this series: support, confidence and lift over the buyers."""

    tenant = tenant_key(db_index=False)
    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="rules")
    antecedent = models.JSONField()  # item codes ("income:high", "city_tier:2"), see attributes.ITEM_ATTRIBUTES
    consequent = models.CharField(_("series"), max_length=64)
    support = models.FloatField(_("support"))
    confidence = models.FloatField(_("confidence"))
    lift = models.FloatField(_("lift"))
    customers = models.PositiveIntegerField(_("customers covered"))
    antecedent_customers = models.PositiveIntegerField(_("customers with the attributes"))

    objects = ScopedManager()

    class Meta:
        # Rules are written highest lift first, so id order is lift order within a run.
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["run", "consequent"], name="retention_rule_series_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return aggregate_scope_q(scope)
