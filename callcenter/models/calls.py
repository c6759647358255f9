"""Calls: every outbound attempt and every inbound hotline call (400 热线), and the service bookings taken on them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.models import DealerOwned, TenantOwned, dealer_scope_q, tenant_key
from crm_site.scope import Scope
from crm_site.validators import NOTES_MAX_LENGTH

from .. import choices
from .followups import FollowUpTask


class Call(TenantOwned):
    """One call (or key-account on-site visit) with a customer or a caller not yet known."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    direction = models.CharField(_("direction"), max_length=16, choices=choices.Direction.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=choices.CallKind.choices, default=choices.CallKind.PHONE)
    # The dealer the call is about (the task's, the one the caller named); none for a general inquiry.
    dealer = models.ForeignKey("dealers.Dealer", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("dealer"))
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="calls", verbose_name=_("customer"), db_index=False)
    vehicle = models.ForeignKey("vehicles.Vehicle", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("vehicle"), db_index=False)
    caller_number = models.CharField(_("caller's number"), max_length=20, blank=True)
    caller_name = models.CharField(_("caller's name"), max_length=100, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("agent"))
    started_at = models.DateTimeField(_("started"))
    duration_s = models.PositiveIntegerField(_("duration (s)"), default=0)
    category = models.CharField(_("category"), max_length=16, choices=choices.CallCategory.choices,
                                default=choices.CallCategory.FOLLOW_UP)
    outcome = models.CharField(_("outcome"), max_length=16, choices=choices.Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX_LENGTH,
                             validators=[MaxLengthValidator(NOTES_MAX_LENGTH)])
    follow_up = models.ForeignKey(FollowUpTask, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="calls", verbose_name=_("follow-up"), db_index=False)
    lead = models.ForeignKey("customers.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             db_index=False)
    complaint = models.ForeignKey("callcenter.Complaint", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="calls", verbose_name=_("complaint"), db_index=False)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["tenant", "started_at"], name="call_tenant_started_idx"),
            models.Index(fields=["customer", "started_at"], condition=Q(customer__isnull=False),
                         name="call_customer_idx"),
            models.Index(fields=["follow_up"], condition=Q(follow_up__isnull=False), name="call_followup_idx"),
            models.Index(fields=["agent", "started_at"], condition=Q(agent__isnull=False), name="call_agent_idx"),
            models.Index(fields=["tenant", "updated_at"], name="call_tenant_updated_idx"),
            models.Index(fields=["complaint"], condition=Q(complaint__isnull=False), name="call_complaint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} · {self.started_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """The call center sees every call; a dealer the calls about its own store."""
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is not None:
            q &= Q(dealer_id__in=scope.dealer_ids)
        return q


class BookingStatus(models.TextChoices):
    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceBooking(DealerOwned):
    """A service appointment a caller asked for on the hotline, for the dealer to confirm (预约)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("customer"))
    vehicle = models.ForeignKey("vehicles.Vehicle", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("vehicle"))
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings")
    wanted_on = models.DateField(_("wanted on"))
    notes = models.CharField(_("what for"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.NEW)

    class Meta:
        verbose_name = _("service booking")
        verbose_name_plural = _("service bookings")
        ordering = ["wanted_on", "id"]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)
