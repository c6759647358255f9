"""The staff login backend: Django's, loading with the user the tenant's personal-data grant for their role."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery

from .access import PERSONAL_DATA_GRANT_ATTR
from .models import RolePolicy, User


def role_grant_subquery() -> Subquery:
    """The user's role's `full_mobiles` in their tenant (NULL when the tenant never decided)."""
    return Subquery(RolePolicy.objects.filter(tenant_id=OuterRef("tenant_id"), role=OuterRef("role"))
                    .values("full_mobiles")[:1])


class StaffBackend(ModelBackend):
    """Every page request loads its user here: the grant rides along in the same statement, so it costs nothing."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.annotate(**{PERSONAL_DATA_GRANT_ATTR: role_grant_subquery()}).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
