"""Template filters that show personal data as the viewer's role may see it (DESIGN §7)."""

from __future__ import annotations

from django import template

from crm_site.validators import national_mobile
from customers import privacy

register = template.Library()


@register.filter
def mobile_for(customer, scope) -> str:
    """The customer's mobile in full or masked, per the viewer's scope."""
    if customer is None or scope is None:
        return ""
    return national_mobile(privacy.shown_mobile(scope, customer))


@register.filter
def masked_name(customer) -> str:
    """Only the first character of a name (张**), for customers the viewer's dealer does not serve yet."""
    return privacy.mask_name(getattr(customer, "name", customer))


@register.filter
def masked_mobile(customer) -> str:
    """The mobile with its middle four digits hidden, whatever the role."""
    return customer.mobile_masked if customer is not None else ""
