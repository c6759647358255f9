"""Choices of the organisation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A staff user's one role (DESIGN §2)."""

    OEM_ADMIN = "oem_admin", _("OEM administrator")
    OEM_ANALYST = "oem_analyst", _("OEM analyst")
    REGION_MANAGER = "region_manager", _("Region manager")
    CC_SUPERVISOR = "cc_supervisor", _("Call-center supervisor")
    CC_AGENT = "cc_agent", _("Call-center agent")
    DEALER_MANAGER = "dealer_manager", _("Dealer manager")
    SALES_CONSULTANT = "sales_consultant", _("Sales consultant")
    SERVICE_ADVISOR = "service_advisor", _("Service advisor")


TENANT_WIDE_ROLES = frozenset({Role.OEM_ADMIN, Role.OEM_ANALYST, Role.CC_SUPERVISOR, Role.CC_AGENT})
DEALER_ROLES = frozenset({Role.DEALER_MANAGER, Role.SALES_CONSULTANT, Role.SERVICE_ADVISOR})


def placement(role, dealer, region) -> tuple:
    """The (dealer, region) a user of this role keeps: dealer staff a dealer, a region manager a region, HQ neither."""
    if role in TENANT_WIDE_ROLES:
        return None, None
    if role in DEALER_ROLES:
        return dealer, None
    if role == Role.REGION_MANAGER:
        return None, region
    return dealer, region


class ApiScope(models.TextChoices):
    """What an API client may do: everything it sees, or only read it."""

    READ = "read", _("Read")
    WRITE = "write", _("Read and write")
