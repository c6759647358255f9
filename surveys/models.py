"""Survey templates (versioned), invitations, link opens and responses with their stored scores (DESIGN §9.4)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.models import DealerOwned, TenantOwned, tenant_key
from crm_site.scope import Scope
from dealers.choices import DEALER_ROLES

from . import choices


class SurveySettings(TenantOwned):
    """A tenant's survey parameters: the contact cap and the small-sample line."""

    tenant = models.OneToOneField("dealers.Tenant", on_delete=models.PROTECT, related_name="+", editable=False)
    contact_cap_days = models.PositiveSmallIntegerField(
        _("contact cap (days)"), default=30, validators=[MinValueValidator(0), MaxValueValidator(365)],
        help_text=_("No invitation for a customer invited, or called for marketing, this many days before."))
    small_sample = models.PositiveSmallIntegerField(
        _("small sample under"), default=30, validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text=_("An index over fewer responses than this is flagged as a small sample."))

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")


def settings_for(tenant_id: int) -> SurveySettings:
    """The tenant's survey settings (the defaults when it never changed them)."""
    found = SurveySettings._base_manager.filter(tenant_id=tenant_id).first()
    return found or SurveySettings(tenant_id=tenant_id)


class SurveyTemplate(TenantOwned):
    """One version of a survey template; a change makes a new version and responses keep theirs."""

    code = models.SlugField(_("code"), max_length=40, help_text=_("The same for every version of a template."))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=choices.TemplateKind.choices)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    questions = models.JSONField(_("questions"), default=list)
    channel = models.CharField(_("invitation channel"), max_length=8, choices=choices.Channel.choices,
                               default=choices.Channel.LINK)
    invite_after_days = models.PositiveSmallIntegerField(
        _("invite after (days)"), default=3, validators=[MaxValueValidator(365)])
    sample_rate = models.FloatField(
        _("sample rate"), default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Share of eligible sales or visits invited, 0 to 1."))
    low_score_threshold = models.PositiveSmallIntegerField(
        _("low-score threshold"), default=700, validators=[MaxValueValidator(1000)],
        help_text=_("A response whose index is below this (0–1000) opens a complaint."))
    link_valid_days = models.PositiveSmallIntegerField(
        _("link valid (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(365)])
    is_active = models.BooleanField(_("active"), default=True, help_text=_("A paused template invites nobody."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code", "version"], name="survey_template_version_unique",
                                    violation_error_message=_("This version of the template already exists.")),
            models.UniqueConstraint(fields=["tenant", "code"], condition=Q(is_current=True),
                                    name="survey_template_one_current",
                                    violation_error_message=_("A template with this code already exists.")),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def question(self, code: str) -> dict | None:
        return next((q for q in self.questions if q.get("code") == code), None)


class SurveyInvitation(DealerOwned):
    """One invitation to answer a survey about one sale, service visit or (dealer survey) one period."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="invitations",
                                 verbose_name=_("template"))
    kind = models.CharField(_("kind"), max_length=16, choices=choices.TemplateKind.choices)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="survey_invitations", verbose_name=_("customer"), db_index=False)
    vehicle = models.ForeignKey("vehicles.Vehicle", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("vehicle"), db_index=False)
    subject_kind = models.CharField(_("subject"), max_length=8, choices=choices.SubjectKind.choices)
    subject_id = models.BigIntegerField()
    subject_on = models.DateField(_("sale or visit date"))
    period = models.CharField(_("period"), max_length=7, blank=True, help_text=_("Dealer survey: YYYY-MM."))
    channel = models.CharField(_("channel"), max_length=8, choices=choices.Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=choices.InvitationStatus.choices,
                              default=choices.InvitationStatus.PENDING)
    expires_at = models.DateTimeField(_("expires"))
    # The random part of the link token: the signature binds it to this invitation, the row makes it single-use.
    nonce = models.CharField(max_length=32, editable=False)
    # The consultant who sold or the advisor who served (for the gaming signals); the invited manager.
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("consultant or advisor"), db_index=False)
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("invited manager"), db_index=False)
    follow_up = models.ForeignKey("callcenter.FollowUpTask", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("follow-up"), db_index=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "subject_kind", "subject_id", "period"],
                                    name="survey_invitation_once",
                                    violation_error_message=_("This subject was already invited.")),
        ]
        indexes = [
            # The contact cap looks a customer up (its id names the tenant); links to no customer are left out.
            models.Index(fields=["customer", "created_at"], condition=Q(customer__isnull=False),
                         name="survey_inv_customer_idx"),
            models.Index(fields=["tenant", "dealer", "created_at"], name="survey_inv_dealer_idx"),
            # Generation: the subjects of a window already invited.
            models.Index(fields=["tenant", "kind", "subject_on"], name="survey_inv_subject_on_idx"),
            models.Index(fields=["nonce"], name="survey_inv_nonce_idx"),
            models.Index(fields=["invitee"], condition=Q(invitee__isnull=False), name="survey_inv_invitee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.customer or self.invitee}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A store's invitations are its own; the dealer survey a manager answers is only the manager's."""
        q = super().scope_q(scope)
        if scope.role in DEALER_ROLES and scope.user_id:
            q &= ~Q(kind=choices.TemplateKind.DEALER) | Q(invitee_id=scope.user_id)
        return q


class SurveyLinkOpen(TenantOwned):
    """How often one address opened one link (the signal of links opened from the store's own network)."""

    tenant = tenant_key(db_index=False)
    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="opens")
    dealer_id = models.BigIntegerField()
    address = models.GenericIPAddressField()
    count = models.PositiveIntegerField(default=1)
    last_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invitation", "address"], name="survey_open_once_per_address")]
        indexes = [models.Index(fields=["tenant", "dealer_id", "address"], name="survey_open_dealer_idx")]


class SurveyResponse(DealerOwned):
    """A survey answered: its answers, and the index, factor indices, top box and NPS computed when saved."""

    tenant = tenant_key(db_index=False)
    invitation = models.OneToOneField(SurveyInvitation, on_delete=models.PROTECT, related_name="response",
                                      verbose_name=_("invitation"))
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="responses",
                                 verbose_name=_("template version"))
    family = models.CharField(max_length=40, editable=False)  # the template's code: all versions rank together
    kind = models.CharField(_("kind"), max_length=16, choices=choices.TemplateKind.choices)
    month = models.DateField(_("month"), help_text=_("First day of the month it was answered in."))
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="survey_responses", verbose_name=_("customer"), db_index=False)
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("recorded by"), db_index=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("consultant or advisor"), db_index=False)
    via = models.CharField(_("answered via"), max_length=8, choices=choices.AnsweredVia.choices)
    answers = models.JSONField(_("answers"), default=dict)
    index = models.FloatField(_("index"), null=True, blank=True)
    factors = models.JSONField(_("factor indices"), default=dict)
    top_box = models.BooleanField(_("top box"), null=True)
    all_max = models.BooleanField(default=False, editable=False)  # every scored answer at the scale maximum
    nps_score = models.PositiveSmallIntegerField(_("recommend 0–10"), null=True, blank=True)
    nps_category = models.CharField(_("NPS category"), max_length=16, choices=choices.NpsCategory.choices,
                                    blank=True)
    complaint = models.OneToOneField("callcenter.Complaint", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="survey_response", verbose_name=_("complaint"))
    remote_addr = models.GenericIPAddressField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            # The indices: one template family, one month, grouped by dealer.
            models.Index(fields=["tenant", "family", "month", "dealer"], name="survey_resp_month_idx"),
            models.Index(fields=["customer"], condition=Q(customer__isnull=False), name="survey_resp_customer_idx"),
            models.Index(fields=["tenant", "updated_at"], name="survey_resp_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.index}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A store's staff do not read the dealer survey of their manager."""
        q = super().scope_q(scope)
        if scope.role in DEALER_ROLES and scope.user_id:
            q &= ~Q(kind=choices.TemplateKind.DEALER) | Q(respondent_id=scope.user_id)
        return q


class SurveyMonthly(DealerOwned):
    """One dealer's responses of one template family in one month, summed (the indices read these, not responses).

    Kept by statement-level triggers on the responses table (migration 0002), so every insert, update and delete —
    a link answered, an agent's call, a bulk load, an erasure — moves the sums in the same transaction.
    """

    tenant = tenant_key(db_index=False)
    family = models.CharField(max_length=40)
    kind = models.CharField(max_length=16, choices=choices.TemplateKind.choices)
    month = models.DateField()
    responses = models.IntegerField(default=0)
    index_n = models.IntegerField(default=0)  # responses with an index (the mean's denominator)
    index_sum = models.FloatField(default=0)
    top = models.IntegerField(default=0)
    top_n = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    nps_n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "family", "month", "dealer"],
                                               name="survey_monthly_once")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A store's staff do not read the sums of the dealer survey (their managers' answers about HQ)."""
        q = super().scope_q(scope)
        if scope.role in DEALER_ROLES:
            q &= ~Q(kind=choices.TemplateKind.DEALER)
        return q


class SurveyFactorMonthly(DealerOwned):
    """One dealer's factor indices of one template family in one month, summed per factor (kept like SurveyMonthly)."""

    tenant = tenant_key(db_index=False)
    family = models.CharField(max_length=40)
    kind = models.CharField(max_length=16, choices=choices.TemplateKind.choices)
    month = models.DateField()
    factor = models.CharField(max_length=60)
    n = models.IntegerField(default=0)
    total = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "family", "month", "dealer", "factor"],
                                               name="survey_factor_monthly_once")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """As SurveyMonthly: no dealer-survey sums for a store's staff."""
        return SurveyMonthly.scope_q(scope)
