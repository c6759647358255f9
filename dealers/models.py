"""Organisation: tenants (automakers), regions, dealers, staff users and API clients."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.models import ScopedManager, ScopedQuerySet, TenantOwned
from crm_site.scope import Scope

from .choices import DEALER_ROLES, TENANT_WIDE_ROLES, ApiScope, Role

USER_TOKEN_PREFIX = "crmu_"
CLIENT_TOKEN_PREFIX = "crmc_"


def hash_token(token: str) -> str:
    """Tokens are long random strings, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str) -> str:
    """A fresh bearer token whose prefix says what kind of principal it belongs to."""
    return prefix + secrets.token_urlsafe(32)


class Tenant(models.Model):
    """An automaker organisation (主机厂); tenants never see each other."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A scope sees only its own tenant."""
        return Q(pk=scope.tenant_id)


class Region(TenantOwned):
    """A sales region (大区) grouping dealers."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code"],
                name="region_code_unique_per_tenant",
                violation_error_message=_("A region with this code already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Regions of the tenant that hold a dealer the scope sees."""
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is not None:
            q &= Q(pk__in=Dealer.objects.filter(pk__in=scope.dealer_ids).values("region_id"))
        return q


class Dealer(TenantOwned):
    """A 4S store of the network, known by its dealer code."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="dealers", verbose_name=_("region"))
    code = models.CharField(_("dealer code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code"],
                name="dealer_code_unique_per_tenant",
                violation_error_message=_("A dealer with this code already exists."),
            )
        ]
        indexes = [models.Index(fields=["tenant", "region"], name="dealer_tenant_region_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Dealers the scope sees."""
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is not None:
            q &= Q(pk__in=scope.dealer_ids)
        return q


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    """Django's user manager with the scoped queryset."""


class User(AbstractUser):
    """A staff user with exactly one role inside one tenant."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    # The dealer's own number for the person (工号), by which DMS files and imports name a consultant or advisor.
    staff_code = models.CharField(_("staff code"), max_length=32, blank=True,
                                  help_text=_("The dealer's own staff number (工号), used by imports and the DMS."))
    # E.164 ("+8613812345678"), normalised by the form and the API with crm_site.validators.normalize_mobile.
    mobile = models.CharField(_("mobile"), max_length=16, blank=True,
                              help_text=_("11-digit mainland China mobile number."))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    dealer = models.ForeignKey(
        Dealer, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("dealer")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "staff_code"], condition=~Q(staff_code=""), name="user_staff_code_unique_per_dealer",
                violation_error_message=_("Another user of this dealer has this staff code."),
            ),
            models.CheckConstraint(
                condition=Q(is_superuser=True) | (Q(tenant__isnull=False) & ~Q(role="")),
                name="user_staff_has_tenant_and_role",
                violation_error_message=_("A staff user needs a tenant and a role."),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(DEALER_ROLES)) | Q(dealer__isnull=False),
                name="user_dealer_role_has_dealer",
                violation_error_message=_("This role works at a dealer: choose the dealer."),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.REGION_MANAGER) | Q(region__isnull=False),
                name="user_region_manager_has_region",
                violation_error_message=_("A region manager needs a region."),
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(TENANT_WIDE_ROLES)) | (Q(dealer__isnull=True) & Q(region__isnull=True)),
                name="user_tenant_role_has_no_dealer",
                violation_error_message=_("This role works for the whole tenant: leave region and dealer empty."),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "dealer", "role"], name="user_tenant_dealer_role_idx")]

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Users of the dealers the scope sees, plus oneself; tenant-wide scopes see every user of the tenant."""
        q = Q(tenant_id=scope.tenant_id)
        if scope.dealer_ids is not None:
            q &= Q(dealer_id__in=scope.dealer_ids) | Q(pk=scope.user_id)
        return q


class ApiClient(TenantOwned):
    """A dealer-side tool (DMS) or integration calling the API with a revocable token."""

    dealer = models.ForeignKey(
        Dealer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("dealer"),
        help_text=_("Leave empty for a client that sees the whole tenant."),
    )
    name = models.CharField(_("name"), max_length=100)
    access = models.CharField(_("access"), max_length=8, choices=ApiScope.choices, default=ApiScope.READ)
    resources = ArrayField(
        models.CharField(max_length=40),
        blank=True,
        default=list,
        verbose_name=_("resources"),
        help_text=_("Limit the client to these API resources; empty means all."),
    )
    # Integrations see mobiles masked unless HQ decides otherwise (a store's own DMS sees its customers in full).
    personal_data = models.BooleanField(
        _("reads personal data in full"), default=False, editable=False,
        help_text=_("Granted by an OEM administrator and recorded in the audit log; a dealer's own system reads its "
                    "customers in full without it."))
    key_prefix = models.CharField(_("token prefix"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """A client works until revoked."""
        return self.revoked_at is None

    def set_new_token(self) -> str:
        """Give the client a new token and return it; only its hash is kept."""
        token = new_token(CLIENT_TOKEN_PREFIX)
        self.key_prefix = token[:12]
        self.key_hash = hash_token(token)
        return token

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Only administrators see API clients: the OEM admin all of them, a dealer manager their dealer's."""
        if scope.role == Role.OEM_ADMIN:
            return Q(tenant_id=scope.tenant_id)
        if scope.role == Role.DEALER_MANAGER:
            return Q(tenant_id=scope.tenant_id, dealer_id__in=scope.dealer_ids)
        return Q(pk__in=[])


class UserToken(models.Model):
    """A bearer token issued to a staff user by POST /api/v1/auth/token/."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """A principal sees only its own tokens."""
        return Q(user_id=scope.user_id, user__tenant_id=scope.tenant_id)


class RolePolicy(TenantOwned):
    """What the tenant decided for one role: full mobiles (a personal-data grant) and whether a second factor is
    required; a role without a row keeps the defaults of dealers.access."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    full_mobiles = models.BooleanField(
        _("reads mobiles in full"),
        help_text=_("Without it the role sees 138****5678 on every page, in the API and in exports, and reveals a "
                    "number with a logged click where it may."))
    second_factor_required = models.BooleanField(
        _("second factor required"), default=False,
        help_text=_("Users of the role without a code app are sent to set one up at their next login."))

    class Meta:
        verbose_name = _("role policy")
        verbose_name_plural = _("role policies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "role"], name="role_policy_one_per_role",
                                    violation_error_message=_("This role already has its policy.")),
        ]

    def __str__(self) -> str:
        return self.get_role_display()
