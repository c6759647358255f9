"""The customers app's timeline source: the customer's leads."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.plugins import TimelineSource
from crm_site.timeline import TimelineEvent

from .models import Lead


def _lead_event(lead: Lead) -> TimelineEvent:
    return TimelineEvent(
        at=lead.created_at, kind="lead", dealer_id=lead.dealer_id, dealer_name=lead.dealer.name,
        title=_("Lead (%(source)s): %(stage)s") % {"source": lead.get_source_display(),
                                                     "stage": lead.get_stage_display()},
        object_type="lead", object_id=lead.pk, link=reverse("customers:lead-detail", args=[lead.pk]),
        detail={"stage": lead.stage, "interested_model": str(lead.interested_model or "")},
    )


TIMELINE_SOURCES = (
    TimelineSource(
        kind="lead", label=gettext_lazy("Lead"), model=Lead, event=_lead_event,
        query=lambda rows, customer: rows.filter(customer=customer).select_related("dealer", "interested_model"),
    ),
)
