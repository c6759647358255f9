"""Follow-up rules (回访 / 关怀), the tasks they generate (the agent queue) and the log of each generation run."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site import history
from crm_site.models import DealerOwned, TenantOwned, dealer_scope_q, tenant_key
from crm_site.scope import Scope
from dealers.choices import DEALER_ROLES

from .. import choices


def default_retry_minutes() -> dict:
    """Retry spacing per unreached outcome: no answer waits two hours, busy half an hour."""
    return {choices.Outcome.NO_ANSWER: 120, choices.Outcome.BUSY: 30}


@history.track(model_name="FollowUpRuleHistory")
class FollowUpRule(TenantOwned):
    """A rule = trigger + offset + queue + due window + script (DESIGN §4); HQ keeps them."""

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=32, choices=choices.Trigger.choices)
    offset_days = models.IntegerField(
        _("offset (days)"), validators=[MinValueValidator(-365), MaxValueValidator(3650)],
        help_text=_("Days after the trigger date (negative: before it, as for an insurance expiry)."))
    queue = models.SlugField(_("queue"), max_length=40, help_text=_("The list agents work, e.g. ssi or reminders."))
    worked_by = models.CharField(_("worked by"), max_length=16, choices=choices.WorkedBy.choices,
                                 default=choices.WorkedBy.CALL_CENTER)
    purpose = models.CharField(_("purpose"), max_length=16, choices=choices.Purpose.choices,
                               help_text=_("The consent the customer must have given for phone calls."))
    due_window_days = models.PositiveSmallIntegerField(
        _("due window (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A task not done this many days after its due date expires."))
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Unanswered calls before the task is closed as unreachable."))
    retry_after_minutes = models.JSONField(_("retry after (minutes)"), default=default_retry_minutes, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=5, validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1 is called first, 9 last."))
    script = models.TextField(
        _("script"), blank=True, max_length=4000,
        help_text=_("Placeholders: {customer}, {model}, {vin}, {plate}, {dealer}, {date}, {due_on}, {agent}."))
    questions = models.JSONField(_("questions"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("A paused rule creates no tasks; its open tasks stay in the queue."))

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")
        ordering = ["priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="followup_rule_code_unique_per_tenant",
                                    violation_error_message=_("A rule with this code already exists.")),
        ]

    def __str__(self) -> str:
        return self.name

    def retry_minutes(self, outcome: str) -> int:
        """The spacing before the next attempt after this outcome (an hour when the rule does not say)."""
        try:
            return max(1, int((self.retry_after_minutes or {}).get(outcome, 60)))
        except (TypeError, ValueError):
            return 60


def works_dealer_queue(scope: Scope) -> bool:
    """Dealer staff work (and see) only the follow-ups their own store calls."""
    return scope.role in DEALER_ROLES


class FollowUpTask(DealerOwned):
    """One call to make for one rule × subject × occurrence; claimed by one agent at a time under a lease."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    rule = models.ForeignKey(FollowUpRule, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("rule"))
    queue = models.SlugField(_("queue"), max_length=40)
    worked_by = models.CharField(_("worked by"), max_length=16, choices=choices.WorkedBy.choices)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="follow_ups",
                                 verbose_name=_("customer"), db_index=False)
    vehicle = models.ForeignKey("vehicles.Vehicle", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("vehicle"), db_index=False)
    # The trigger's own row (sale, visit, vehicle, related purchase or customer) and which occurrence of it.
    subject_id = models.BigIntegerField()
    occurrence = models.DateField()
    trigger_on = models.DateField(_("trigger date"))
    due_on = models.DateField(_("due"))
    expires_on = models.DateField(_("expires"))
    priority = models.PositiveSmallIntegerField(_("priority"))
    status = models.CharField(_("status"), max_length=16, choices=choices.TaskStatus.choices,
                              default=choices.TaskStatus.OPEN)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("agent"), db_index=False)
    claimed_until = models.DateTimeField(_("held until"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=choices.Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    campaign_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject_id", "occurrence"], name="followup_one_per_occurrence"),
        ]
        indexes = [
            # The claim: the most urgent open task of a queue (and the board's backlog); closed tasks are left out.
            models.Index(fields=["tenant", "worked_by", "queue", "priority", "due_on", "id"],
                         condition=Q(status__in=["open", "claimed"]), name="followup_queue_idx"),
            models.Index(fields=["assigned_to", "status"], condition=Q(assigned_to__isnull=False),
                         name="followup_assignee_idx"),
            models.Index(fields=["customer", "due_on"], name="followup_customer_idx"),
            models.Index(fields=["tenant", "updated_at"], name="followup_tenant_updated_idx"),
            models.Index(fields=["tenant", "dealer", "due_on"], name="followup_dealer_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.customer}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Tasks of the dealers in scope; a store's staff see only the tasks their store works."""
        q = dealer_scope_q(scope)
        if works_dealer_queue(scope):
            q &= Q(worked_by=choices.WorkedBy.DEALER)
        return q

    @property
    def is_open(self) -> bool:
        return self.status in choices.OPEN_STATUSES


class FollowUpRun(TenantOwned):
    """One generation run for a date: what it created, and what it skipped and why, per rule."""

    run_on = models.DateField(_("for date"))
    source = models.CharField(_("started by"), max_length=16, choices=choices.RunSource.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    existing_count = models.PositiveIntegerField(_("already there"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    expired_count = models.PositiveIntegerField(_("expired"), default=0)
    # [{"rule": id, "code", "name", "created", "existing", "skipped": {reason: n}, "seconds"}]
    per_rule = models.JSONField(default=list)

    class Meta:
        verbose_name = _("generation run")
        verbose_name_plural = _("generation runs")
        ordering = ["-created_at", "-id"]


class NumberFlag(TenantOwned):
    """A customer's number an agent found wrong, so nobody dials it again unknowingly."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    task = models.ForeignKey(FollowUpTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["customer"], name="numberflag_customer_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        from customers.models import linked_to_scope

        return linked_to_scope(scope, "customer_id")


__all__ = ["FollowUpRule", "FollowUpRun", "FollowUpTask", "NumberFlag", "works_dealer_queue"]
