"""The unified customer record (统一客户视图): customers, contact points, consent, dealer links and leads."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from crm_site import crypto, history
from crm_site.models import DealerOwned, TenantOwned, dealer_scope_q, tenant_key
from crm_site.scope import Scope
from crm_site.validators import NOTES_MAX_LENGTH, mask_mobile, mask_resident_id, validate_birth_date

from . import choices

NOTES_HELP = _("At most 2,000 characters.")


def linked_to_scope(scope: Scope, field: str = "pk") -> Q:
    """Customers linked to a dealer the scope sees (tenant-wide scopes see every customer)."""
    q = Q(tenant_id=scope.tenant_id)
    if scope.dealer_ids is not None:
        links = CustomerDealer.objects.filter(tenant_id=scope.tenant_id, dealer_id__in=scope.dealer_ids)
        q &= Q(**{f"{field}__in": links.values("customer_id")})
    return q


# The encrypted ID number is never copied into the history: its keyed hash says when it changed, not what it is.
@history.track(model_name="CustomerHistory", exclude=("id_number_encrypted",))
class Customer(TenantOwned):
    """One person or company of the whole network, shared by every dealer that serves them."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    kind = models.CharField(_("kind"), max_length=16, choices=choices.CustomerKind.choices,
                            default=choices.CustomerKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, help_text=_("Stored as +86…"))
    id_number_encrypted = models.TextField(blank=True, editable=False)
    # Looked up only with the tenant and among live records: customer_id_number_unique_per_tenant serves that.
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=choices.Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, validators=[validate_birth_date],
                                  help_text=_("Between 1900-01-01 and 16 years ago."))
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    occupation = models.CharField(_("occupation"), max_length=64, blank=True)
    income_band = models.CharField(_("income band"), max_length=16, choices=choices.IncomeBand.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=choices.Education.choices, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    fleet_size = models.PositiveIntegerField(_("fleet size"), null=True, blank=True)
    key_account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("key-account owner"), db_index=False,
    )
    do_not_call = models.BooleanField(_("do not call"), default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX_LENGTH,
                             validators=[MaxLengthValidator(NOTES_MAX_LENGTH)], help_text=NOTES_HELP)
    # Set when the person was erased (anonymised; DESIGN §7): the record stays for the aggregates it carries.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "mobile"], condition=~Q(mobile="") & Q(merged_into__isnull=True),
                name="customer_mobile_unique_per_tenant",
                violation_error_message=_("A customer with this mobile number already exists."),
            ),
            models.UniqueConstraint(
                fields=["tenant", "id_number_hash"], condition=~Q(id_number_hash="") & Q(merged_into__isnull=True),
                name="customer_id_number_unique_per_tenant",
                violation_error_message=_("A customer with this ID number already exists."),
            ),
        ]
        indexes = [
            # On UPPER(name): name__icontains compares UPPER(name), which a trigram index on the bare name never serves.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="customer_name_trgm"),
            models.Index(fields=["tenant", "updated_at"], name="customer_tenant_updated_idx"),
            # Mostly empty columns: only the rows that have a value are indexed, which is all that a look-up by
            # them and the deletion check (PROTECT / SET NULL) of the referenced row need.
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False),
                         name="customer_merged_into_idx"),
            models.Index(fields=["key_account_owner"], condition=Q(key_account_owner__isnull=False),
                         name="customer_key_account_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Live customers linked to a dealer the scope sees; merged-away records are hidden."""
        return linked_to_scope(scope) & Q(merged_into__isnull=True)

    @property
    def id_number(self) -> str:
        """The decrypted resident ID number (reading it in a page is a reveal: log it)."""
        return crypto.decrypt(self.id_number_encrypted)

    def set_id_number(self, value: str) -> None:
        """Store a normalised ID number encrypted, with its lookup hash."""
        self.id_number_encrypted = crypto.encrypt(value)
        self.id_number_hash = crypto.lookup_hash(value)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""

    @property
    def id_number_masked(self) -> str:
        return mask_resident_id(self.id_number) if self.id_number_encrypted else ""


class CustomerDealer(TenantOwned):
    """A customer's link to a dealer (sold, serviced, assigned), with the dealer system's own id for them."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    # customer_dealer_unique leads with the customer.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="dealer_links", db_index=False)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=choices.LinkKind.choices)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "dealer"], name="customer_dealer_unique"),
            models.UniqueConstraint(
                fields=["dealer", "external_id"], condition=~Q(external_id=""),
                name="customer_external_id_unique_per_dealer",
                violation_error_message=_("Another customer already has this external id at this dealer."),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "dealer", "customer"], name="custdealer_scope_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)


class ContactPoint(TenantOwned):
    """A way to reach a customer besides the main mobile: another phone, WeChat, email."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=16, choices=choices.ContactKind.choices)
    value = models.CharField(_("value"), max_length=128)
    label = models.CharField(_("label"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "value"], name="contact_point_unique",
                                    violation_error_message=_("This contact is already recorded.")),
        ]
        indexes = [models.Index(fields=["tenant", "kind", "value"], name="contact_point_lookup_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return linked_to_scope(scope, "customer_id")


@history.track(model_name="ConsentRecordHistory")
class ConsentRecord(TenantOwned):
    """A customer's consent (or refusal) for one channel and purpose; the latest record per pair is in force."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=16, choices=choices.ConsentChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=16, choices=choices.ConsentPurpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=16, choices=choices.RecordSource.choices)
    text_version = models.CharField(_("consent text version"), max_length=32, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "channel", "purpose", "-created_at"], name="consent_latest_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return linked_to_scope(scope, "customer_id")


class DoNotCallChange(TenantOwned):
    """History of a customer's do-not-call flag."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="do_not_call_changes")
    do_not_call = models.BooleanField()
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return linked_to_scope(scope, "customer_id")


class CustomerMerge(TenantOwned):
    """A merge of a duplicate customer into the surviving record, with what was moved."""

    survivor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    moved = models.JSONField(default=dict)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return linked_to_scope(scope, "survivor_id")


class Lead(DealerOwned):
    """A prospect's interest in buying (潜在客户), worked by a sales consultant through the funnel."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="leads", verbose_name=_("customer"))
    source = models.CharField(_("source"), max_length=16, choices=choices.LeadSource.choices)
    referred_by = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals",
                                    verbose_name=_("referred by"), db_index=False)
    interested_model = models.ForeignKey("vehicles.VehicleModel", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name=_("interested model"))
    stage = models.CharField(_("stage"), max_length=16, choices=choices.LeadStage.choices, default=choices.LeadStage.NEW)
    # lead_assignee_idx leads with it.
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="leads", verbose_name=_("sales consultant"), db_index=False)
    next_action_on = models.DateField(_("next action"), null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=16, choices=choices.LostReason.choices, blank=True)
    first_contacted_at = models.DateTimeField(_("first contacted"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("stage changed"), null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX_LENGTH,
                             validators=[MaxLengthValidator(NOTES_MAX_LENGTH)], help_text=NOTES_HELP)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "external_id"], condition=~Q(external_id=""), name="lead_external_id_unique_per_dealer",
                violation_error_message=_("A lead with this external id already exists at this dealer."),
            ),
            models.CheckConstraint(
                condition=~Q(stage=choices.LeadStage.LOST) | ~Q(lost_reason=""), name="lead_lost_has_reason",
                violation_error_message=_("Say why the lead was lost."),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "dealer", "stage"], name="lead_pipeline_idx"),
            models.Index(fields=["assigned_to", "stage"], name="lead_assignee_idx"),
            # Most leads have no referrer: only the others are indexed (referrals of a customer, SET NULL).
            models.Index(fields=["referred_by"], condition=Q(referred_by__isnull=False), name="lead_referrer_idx"),
            models.Index(fields=["tenant", "updated_at"], name="lead_tenant_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_stage_display()}"


class LeadStageChange(TenantOwned):
    """One move of a lead through the funnel."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=choices.LeadStage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=choices.LeadStage.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope, "lead__dealer_id")


class ErasedIdentity(TenantOwned):
    """The tombstone an erasure leaves: the keyed hash of the mobile, so the person is not re-created unasked."""

    mobile_hash = models.CharField(max_length=64)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["tenant", "mobile_hash"], name="erased_identity_lookup_idx")]


class DataSubjectRequest(TenantOwned):
    """One request under the PIPL for a customer's data: an export, a correction or an erasure, and what was done."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export of everything held")
        CORRECTION = "correction", _("Correction")
        ERASURE = "erasure", _("Erasure")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return linked_to_scope(scope, "customer_id")

