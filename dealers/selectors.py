"""Reads of the organisation shared by other apps: staff named by a dealer's file or system."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import User


def _unknown(text: str) -> str:
    return _("No active staff member of this dealer with this role has the staff code or name “%(name)s”.") % {
        "name": text}


def _ambiguous(text: str) -> str:
    return _("Several staff members are called “%(name)s”: use the staff code.") % {"name": text}


def staff_match(*, tenant_id: int, dealer_id: int, role: str, text: str) -> User | None:
    """The active staff user of this dealer and role named by staff code (工号) or full name; blank → None.

    An unknown or ambiguous name raises ValidationError, so a file never silently loses who served the customer.
    """
    text = (text or "").strip()
    if not text:
        return None
    staff = User.objects.filter(tenant_id=tenant_id, dealer_id=dealer_id, role=role, is_active=True)
    by_code = list(staff.filter(staff_code=text)[:2])
    found = by_code or list(staff.filter(Q(full_name=text) | Q(username=text))[:2])
    if not found:
        raise ValidationError(_unknown(text), code="unknown_staff")
    if len(found) > 1:
        raise ValidationError(_ambiguous(text), code="ambiguous_staff")
    return found[0]


def staff_match_many(*, tenant_id: int, role: str, names: set[tuple[int, str]]) -> dict[tuple[int, str], int | str]:
    """`staff_match` for a whole batch in one query: (dealer id, text) → the user's id, or the error message."""
    dealer_ids = {dealer_id for dealer_id, _text in names}
    staff = list(User.objects.filter(tenant_id=tenant_id, dealer_id__in=dealer_ids, role=role, is_active=True)
                 .values_list("pk", "dealer_id", "staff_code", "full_name", "username"))
    found: dict[tuple[int, str], int | str] = {}
    for dealer_id, text in names:
        key = text.strip()
        by_code = [pk for pk, dealer, code, _n, _u in staff if dealer == dealer_id and code and code == key]
        by_name = [pk for pk, dealer, _c, name, user in staff if dealer == dealer_id and key in (name, user)]
        matches = by_code or by_name
        found[(dealer_id, text)] = (matches[0] if len(matches) == 1 else
                                    _ambiguous(key) if matches else _unknown(key))
    return found


def role_policies(*, tenant_id: int) -> list:
    """Every role's policy in the tenant, in the roles' order; a role the tenant never decided shows the defaults."""
    from .access import role_grant_default
    from .choices import Role
    from .models import RolePolicy

    stored = {row.role: row for row in RolePolicy.objects.filter(tenant_id=tenant_id)}
    return [stored.get(role) or RolePolicy(tenant_id=tenant_id, role=role, full_mobiles=role_grant_default(role))
            for role in Role]
