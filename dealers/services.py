"""Writes of the organisation app: tenants, users, tokens and API clients."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.models import audit
from crm_site.registry import registry
from crm_site.scope import Scope

from .choices import ApiScope, Role
from .models import USER_TOKEN_PREFIX, ApiClient, Tenant, User, UserToken, hash_token, new_token


@transaction.atomic
def tenant_create(*, name: str, slug: str, admin_username: str, admin_password: str) -> Tenant:
    """Create a tenant with its first OEM administrator and the default rules and templates."""
    tenant = Tenant(name=name, slug=slug)
    tenant.full_clean()
    tenant.save()
    admin = User(username=admin_username, full_name=admin_username, role=Role.OEM_ADMIN)
    admin.tenant = tenant
    admin.set_password(admin_password)
    admin.full_clean(exclude=["password"])
    admin.save()
    # Every app's defaults (follow-up rules, survey templates, complaint categories), as registered.
    for default in registry["tenant_defaults"]:
        default.create(tenant)
    return tenant


def user_token_issue(*, user: User) -> tuple[str, UserToken]:
    """Issue a bearer token for a staff user; the token itself is returned once and never stored."""
    token = new_token(USER_TOKEN_PREFIX)
    row = UserToken.objects.create(
        user=user,
        key_prefix=token[:12],
        key_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, row


def user_token_revoke(*, token: UserToken) -> None:
    """Revoke one user token at once."""
    UserToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def user_deactivate(*, scope: Scope, user: User) -> User:
    """Deactivate a staff user and revoke their tokens; history keeps pointing at them."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active", "updated_at"])
        UserToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit(scope, "user.deactivate", user)
    return user


@transaction.atomic
def api_client_create(
    *, scope: Scope, name: str, dealer=None, access: str = ApiScope.READ, resources: list[str] | None = None
) -> tuple[ApiClient, str]:
    """Create an API client and return it with its token (shown once)."""
    client = ApiClient(name=name, dealer=dealer, access=access, resources=resources or [])
    client.tenant_id = scope.tenant_id
    client.created_by_id = scope.user_id
    token = client.set_new_token()
    client.full_clean()
    client.save()
    audit(scope, "api_client.create", client)
    return client, token


@transaction.atomic
def api_client_set_personal_data(*, scope: Scope, client: ApiClient, granted: bool) -> ApiClient:
    """HQ grants (or withdraws) an integration's reading of personal data in full; recorded in the audit log."""
    from .access import PERSONAL_DATA_GRANT

    if not PERSONAL_DATA_GRANT.allows(scope):
        raise PermissionDenied(_("Only an OEM administrator grants personal data."))
    if client.personal_data != granted:
        client.personal_data = granted
        client.save(update_fields=["personal_data", "updated_at"])
        audit(scope, "api_client.personal_data", client, granted=granted)
    return client


@transaction.atomic
def api_client_rotate(*, scope: Scope, client: ApiClient) -> str:
    """Replace an API client's token; the old one stops working at once."""
    token = client.set_new_token()
    client.save(update_fields=["key_prefix", "key_hash", "updated_at"])
    audit(scope, "api_client.rotate", client)
    return token


@transaction.atomic
def api_client_revoke(*, scope: Scope, client: ApiClient) -> ApiClient:
    """Revoke an API client; its token stops working at once."""
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at", "updated_at"])
        audit(scope, "api_client.revoke", client)
    return client


def user_tokens_purge(*, scope: Scope, now=None) -> int:
    """Delete the tenant's user tokens that expired or were revoked more than a day before `now`; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    stale = UserToken.objects.filter(user__tenant_id=scope.tenant_id).filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
    deleted, _detail = stale.delete()
    return deleted


def role_policies_create_defaults(tenant) -> None:
    """A new tenant's decision per role, written out (tenant default): the defaults of dealers.access."""
    from .access import role_grant_default
    from .models import RolePolicy

    RolePolicy.objects.bulk_create(
        [RolePolicy(tenant_id=tenant.pk, role=role, full_mobiles=role_grant_default(role)) for role in Role],
        ignore_conflicts=True)


@transaction.atomic
def role_policy_update(*, scope: Scope, role: str, full_mobiles: bool, second_factor_required: bool):
    """HQ decides for one role whether it reads mobiles in full and whether it needs a second factor; each change
    is recorded in the audit log with the old and the new value."""
    from .access import PERSONAL_DATA_GRANT, SECOND_FACTOR_MANAGE, SECOND_FACTOR_ROLES, role_grant_default
    from .models import RolePolicy

    if not (PERSONAL_DATA_GRANT.allows(scope) and SECOND_FACTOR_MANAGE.allows(scope)):
        raise PermissionDenied(_("Only an OEM administrator decides what a role may see."))
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}")
    second_factor_required = second_factor_required and role in SECOND_FACTOR_ROLES
    policy = RolePolicy.objects.select_for_update().filter(tenant_id=scope.tenant_id, role=role).first()
    if policy is None:
        policy = RolePolicy(role=role, full_mobiles=role_grant_default(role))
        policy.tenant_id = scope.tenant_id
    changes = {"full_mobiles": (policy.full_mobiles, full_mobiles),
               "second_factor_required": (policy.second_factor_required, second_factor_required)}
    changes = {field: pair for field, pair in changes.items() if pair[0] != pair[1]}
    if not changes and policy.pk:
        return policy
    for field, (_old, new) in changes.items():
        setattr(policy, field, new)
    policy.full_clean()
    policy.save()
    for field, (old, new) in changes.items():
        action = "role_policy.personal_data" if field == "full_mobiles" else "role_policy.second_factor"
        audit(scope, action, policy, role=role, field=field, old=old, new=new)
    return policy
