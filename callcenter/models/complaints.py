"""Complaints (投诉): the case, its events (the timeline), categories and commitments (DESIGN §9.3)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site import history
from crm_site.models import DealerOwned, TenantOwned, dealer_scope_q, tenant_key
from crm_site.scope import Scope
from crm_site.validators import NOTES_MAX_LENGTH

DESCRIPTION_MAX_LENGTH = 4000


class ComplaintChannel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WEB = "web", _("Web")
    DEALER = "dealer", _("Dealer")
    SURVEY = "survey", _("Survey (low score)")
    FOLLOW_UP = "follow_up", _("Follow-up call")
    SOCIAL = "social", _("Social media")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved (awaiting confirmation)")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


# The clock runs (and escalation watches) only while the store still owes the customer something.
ACTIVE_STATUSES = (ComplaintStatus.OPEN, ComplaintStatus.ACKNOWLEDGED, ComplaintStatus.REOPENED)


class Level(models.TextChoices):
    DEALER = "dealer", _("Dealer")
    REGION = "region", _("Region")
    HQ = "hq", _("HQ")


LEVEL_ORDER = [Level.DEALER, Level.REGION, Level.HQ]


class ClockMode(models.TextChoices):
    CALENDAR = "calendar", _("Calendar time (around the clock)")
    WORKING = "working", _("Working time of the responsible dealer")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    ACKNOWLEDGED = "acknowledged", _("First contact made")
    NOTE = "note", _("Note")
    WAITING = "waiting", _("Waiting for the customer")
    RESUMED = "resumed", _("Resumed")
    RESOLVED = "resolved", _("Resolution proposed")
    CONFIRMED = "confirmed", _("Resolution confirmed by the customer")
    REOPENED = "reopened", _("Resolution rejected: reopened")
    ESCALATED = "escalated", _("Escalated")
    ATTACHMENT = "attachment", _("Attachment added")
    CHANGED = "changed", _("Details changed")


class ComplaintCategory(TenantOwned):
    """One node of the tenant's complaint category tree (product quality, repair quality …)."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="complaint_category_code_unique",
                                    violation_error_message=_("A category with this code already exists.")),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class ComplaintSettings(TenantOwned):
    """The tenant's complaint clock: calendar or working time, and how long without progress escalates again."""

    tenant = models.OneToOneField("dealers.Tenant", on_delete=models.PROTECT, related_name="+", editable=False)
    clock = models.CharField(_("clock"), max_length=16, choices=ClockMode.choices, default=ClockMode.CALENDAR)
    reescalate_hours = models.PositiveSmallIntegerField(
        _("escalate again after (hours)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("An escalated complaint without progress for this long moves up one more level."))
    rollup_built_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")


class ComplaintCommitment(TenantOwned):
    """What the network promises per severity: first contact and resolution within so many hours (§4)."""

    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    first_contact_hours = models.PositiveSmallIntegerField(
        _("first contact within (hours)"), validators=[MinValueValidator(1), MaxValueValidator(2000)])
    resolution_hours = models.PositiveSmallIntegerField(
        _("resolution within (hours)"), validators=[MinValueValidator(1), MaxValueValidator(5000)])

    class Meta:
        verbose_name = _("complaint commitment")
        verbose_name_plural = _("complaint commitments")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "severity"], name="complaint_commitment_unique",
                                    violation_error_message=_("This severity already has a commitment.")),
        ]


class ComplaintCounter(TenantOwned):
    """The last complaint number used per tenant and month (numbers are drawn with one atomic upsert)."""

    month = models.CharField(max_length=6)  # YYYYMM
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "month"], name="complaint_counter_unique")]


# The clocks' bookkeeping is left out (recomputed on every step and by the escalation run every five minutes); the
# steps themselves are the complaint's own timeline (ComplaintEvent).
@history.track(model_name="ComplaintHistory", exclude=(
    "cycle_started_at", "first_contact_due", "resolution_due", "escalate_at", "first_contact_escalated",
    "resolution_escalated", "escalated_at", "progress_at", "first_contact_hours", "resolution_hours",
    "first_contact_in_time", "resolution_in_time"))
class Complaint(DealerOwned):
    """One complaint (投诉) against a responsible dealer, with its commitments, level and owner."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    number = models.CharField(_("number"), max_length=20, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=ComplaintChannel.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="complaints",
                                 verbose_name=_("customer"), db_index=False)
    vehicle = models.ForeignKey("vehicles.Vehicle", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("vehicle"), db_index=False)
    category = models.ForeignKey(ComplaintCategory, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("category"))
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, default=Severity.NORMAL)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH,
                                   validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)])
    status = models.CharField(_("status"), max_length=16, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.DEALER)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("owner"), db_index=False)
    follow_up = models.ForeignKey("callcenter.FollowUpTask", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="complaints", verbose_name=_("follow-up"), db_index=False)
    opened_at = models.DateTimeField(_("opened"))
    # The current cycle: from opening, or from the last reopen.
    cycle_started_at = models.DateTimeField(_("cycle started"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("waiting for the customer since"), null=True, blank=True)
    resolution = models.TextField(_("proposed resolution"), blank=True, max_length=NOTES_MAX_LENGTH,
                                  validators=[MaxLengthValidator(NOTES_MAX_LENGTH)])
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Recomputed from the event history on every event (never a running counter); escalation reads them in SQL.
    first_contact_due = models.DateTimeField(_("first contact due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    # When escalation moves the complaint up next (NULL: nothing pending), and which steps were already missed.
    escalate_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_contact_escalated = models.BooleanField(default=False, editable=False)
    resolution_escalated = models.BooleanField(default=False, editable=False)
    escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True, editable=False)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True, editable=False)
    # Working hours from the start of the first cycle, measured at the event, for the KPIs (percentiles in SQL).
    first_contact_hours = models.FloatField(null=True, blank=True, editable=False)
    resolution_hours = models.FloatField(null=True, blank=True, editable=False)
    first_contact_in_time = models.BooleanField(null=True, editable=False)
    resolution_in_time = models.BooleanField(null=True, editable=False)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="complaint_number_unique",
                                    violation_error_message=_("A complaint with this number already exists.")),
        ]
        indexes = [
            models.Index(fields=["tenant", "dealer", "opened_at"], name="complaint_dealer_opened_idx"),
            models.Index(fields=["tenant", "updated_at"], name="complaint_tenant_updated_idx"),
            models.Index(fields=["tenant", "escalate_at"], condition=Q(escalate_at__isnull=False),
                         name="complaint_escalate_idx"),
            models.Index(fields=["customer"], name="complaint_customer_idx"),
            models.Index(fields=["vehicle"], condition=Q(vehicle__isnull=False), name="complaint_vehicle_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A dealer its own complaints, a region manager the region's, HQ and the call center all."""
        return dealer_scope_q(scope)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_waiting(self) -> bool:
        return self.waiting_since is not None


class ComplaintEvent(DealerOwned):
    """One step on a complaint's timeline; due times are recomputed from these rows."""

    tenant = tenant_key(db_index=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"), db_index=False)
    api_client = models.ForeignKey("dealers.ApiClient", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)
    text = models.TextField(_("text"), blank=True, max_length=NOTES_MAX_LENGTH,
                            validators=[MaxLengthValidator(NOTES_MAX_LENGTH)])
    from_level = models.CharField(max_length=16, choices=Level.choices, blank=True)
    to_level = models.CharField(max_length=16, choices=Level.choices, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = {
    "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",), "image/webp": (".webp",), "application/pdf": (".pdf",),
}


class ComplaintAttachment(DealerOwned):
    """A photo or document of a complaint, kept in the database so it is only ever served through the scope."""

    tenant = tenant_key(db_index=False)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    data = models.BinaryField(editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", db_index=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__lte=ATTACHMENT_MAX_BYTES), name="complaint_attachment_size",
                                   violation_error_message=_("The file is larger than 5 MB.")),
        ]

    def __str__(self) -> str:
        return self.name


class ComplaintNotice(TenantOwned):
    """A notification waiting for its recipient's working hours (sent by the escalation task when they come)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=64)
    text = models.CharField(max_length=255)
    link = models.CharField(max_length=255, blank=True)
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "send_after"], condition=Q(sent_at__isnull=True),
                                name="complaint_notice_pending_idx")]


class ComplaintMonthly(TenantOwned):
    """Monthly rollup per dealer (and per category; category NULL and all_categories is the dealer's total)."""

    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    all_categories = models.BooleanField(default=False)
    category = models.ForeignKey(ComplaintCategory, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+", db_index=False)
    opened = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    contacted_in_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    resolved_in_time = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    contact_hours_mean = models.FloatField(null=True)
    contact_hours_p90 = models.FloatField(null=True)
    resolution_hours_mean = models.FloatField(null=True)
    resolution_hours_p90 = models.FloatField(null=True)
    deliveries = models.PositiveIntegerField(default=0)
    service_visits = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["tenant", "month", "dealer"], name="complaint_monthly_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)


__all__ = [
    "ACTIVE_STATUSES", "ATTACHMENT_MAX_BYTES", "ATTACHMENT_TYPES", "ClockMode", "Complaint", "ComplaintAttachment", "ComplaintCategory", "ComplaintChannel",
    "ComplaintCommitment", "ComplaintCounter", "ComplaintEvent", "ComplaintMonthly", "ComplaintNotice",
    "ComplaintSettings", "ComplaintStatus", "EventKind", "LEVEL_ORDER", "Level", "Severity",
]
