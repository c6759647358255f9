"""Reads of the organisation shared by other apps: staff named by a dealer's file or system."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from .models import User


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
        raise ValidationError(_("No active staff member of this dealer with this role has the staff code or name "
                                "“%(name)s”.") % {"name": text}, code="unknown_staff")
    if len(found) > 1:
        raise ValidationError(_("Several staff members are called “%(name)s”: use the staff code.") % {"name": text},
                              code="ambiguous_staff")
    return found[0]
