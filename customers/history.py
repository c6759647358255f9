"""The change history of customers and their consents (issue 14): the panel on the customer 360 and the erasure."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site import plugins
from crm_site.validators import mask_mobile

from .models import ConsentRecordHistory, Customer, CustomerHistory
from .privacy import sees_full_mobile

ID_NUMBER_SHOWN = "••••"  # the history keeps the ID number's keyed hash only: it says it changed, never what it is


def masks(scope) -> dict:
    """The mobile as the viewer sees it on the customer 360; the ID number's hash never shown."""
    shown = {"id_number_hash": lambda value: ID_NUMBER_SHOWN}
    if not sees_full_mobile(scope):
        shown["mobile"] = mask_mobile
    return shown


CUSTOMER_HISTORY = plugins.HistorySubject(
    key="customer", model=Customer, event_model=CustomerHistory,
    related=((ConsentRecordHistory, "customer"),),
    masks=masks, labels={"id_number_hash": _("ID number"), "customers.ConsentRecord": _("Consent")},
    # What customer_erase blanks: every earlier event of the person takes the erased values.
    customer_field="pgh_obj_id",
    personal_fields=("name", "mobile", "id_number_hash", "address", "company_name", "notes", "birth_date"),
)
