"""What complaints register with the core (called from CallcenterConfig.ready): menu, timeline, defaults, merge."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Default category tree of a new tenant (code, name); HQ edits it afterwards.
DEFAULT_CATEGORIES = [
    ("product_quality", gettext_lazy("Product quality")),
    ("repair_quality", gettext_lazy("Repair quality")),
    ("sales_process", gettext_lazy("Sales process")),
    ("price_charges", gettext_lazy("Price and charges")),
    ("parts_supply", gettext_lazy("Parts supply")),
    ("staff_attitude", gettext_lazy("Staff attitude")),
    ("waiting_time", gettext_lazy("Waiting time")),
    ("other", gettext_lazy("Other")),
]


def create_tenant_complaint_defaults(tenant) -> None:
    """Every tenant starts with the category tree, the §4 commitments and calendar-time clocks."""
    from ..models import ComplaintCategory, ComplaintCommitment, ComplaintSettings
    from .clock import DEFAULT_COMMITMENTS

    ComplaintSettings._base_manager.get_or_create(tenant=tenant)
    for order, (code, name) in enumerate(DEFAULT_CATEGORIES, start=1):
        ComplaintCategory._base_manager.get_or_create(tenant=tenant, code=code,
                                                      defaults={"name": str(name), "order": order * 10})
    for severity, (first_contact, resolution) in DEFAULT_COMMITMENTS.items():
        ComplaintCommitment._base_manager.get_or_create(
            tenant=tenant, severity=severity,
            defaults={"first_contact_hours": first_contact, "resolution_hours": resolution})


def _event(row):
    from crm_site.timeline import TimelineEvent

    complaint = row.complaint
    title = _("Complaint %(number)s: %(step)s") % {"number": complaint.number, "step": row.get_kind_display()}
    return TimelineEvent(
        at=row.at, kind="complaint", title=title, dealer_id=row.dealer_id, dealer_name=complaint.dealer.name,
        object_type="complaint", object_id=complaint.pk,
        link=reverse("callcenter:complaint-detail", args=[complaint.pk]),
        detail={"kind": row.kind, "text": row.text[:200], "number": complaint.number},
    )


def _widget(request, scope) -> dict:
    from django.db.models import Count, Q

    from ..models import ACTIVE_STATUSES, Complaint
    from .filtersets import overdue_q

    rows = Complaint.objects.scoped(scope).filter(status__in=ACTIVE_STATUSES)
    counts = rows.aggregate(open=Count("id"), overdue=Count("id", filter=overdue_q()),
                            waiting=Count("id", filter=Q(waiting_since__isnull=False)))
    return {"counts": counts}


def register() -> None:
    """Register menu entries, the widget, the timeline source, the customer panel, defaults and the merge key."""
    from crm_site import plugins

    from ..access import COMPLAINT_EXPORT, COMPLAINT_OPEN, COMPLAINT_SETTINGS, COMPLAINT_WORK
    from ..models import Complaint, ComplaintEvent

    plugins.register_menu(
        plugins.MenuItem(gettext_lazy("Complaints"), "callcenter:complaint-list", order=55),
        plugins.MenuItem(gettext_lazy("Open a complaint"), "callcenter:complaint-create", COMPLAINT_OPEN, order=56),
        plugins.MenuItem(gettext_lazy("Complaint board"), "callcenter:complaint-board", COMPLAINT_EXPORT, order=57),
        plugins.MenuItem(gettext_lazy("Complaint settings"), "callcenter:complaint-settings", COMPLAINT_SETTINGS,
                         order=87),
    )
    plugins.register_widgets(plugins.Widget(
        code="complaints", title=gettext_lazy("Complaints being worked"),
        template="callcenter/complaints/_widget.html", context=_widget, permission=COMPLAINT_WORK, order=30))
    plugins.register_timeline_sources(plugins.TimelineSource(
        kind="complaint", label=gettext_lazy("Complaint"), model=ComplaintEvent, event=_event,
        query=lambda rows, customer: rows.filter(complaint__customer=customer)
        .select_related("complaint__dealer").order_by("-at")[:200],
    ))
    plugins.register_customer_panels(plugins.CustomerPanel(
        code="complaints", template="callcenter/complaints/_customer_panel.html", model=Complaint, order=40,
        query=lambda rows, customer: rows.filter(customer=customer).select_related("dealer")[:20],
    ))
    plugins.register_tenant_defaults(plugins.TenantDefault("complaint_defaults", create_tenant_complaint_defaults))
    plugins.register_merge_participants(plugins.MergeParticipant(
        "complaints", Complaint, "customer", related=_complaint_rows, erase=_complaint_erase))


def _complaint_rows(customer) -> dict:
    """A complaint's timeline and files belong to the customer's data too (exported with the complaints)."""
    from ..models import ComplaintAttachment, ComplaintEvent

    return {"complaint_events": ComplaintEvent._base_manager.filter(tenant_id=customer.tenant_id,
                                                                   complaint__customer=customer),
            "complaint_attachments": ComplaintAttachment._base_manager.filter(
                tenant_id=customer.tenant_id, complaint__customer=customer).defer("data")}


def _complaint_erase(customer) -> dict:
    """Erasing a person clears the notes of their complaints' events and deletes the files (photos, documents)."""
    from ..models import ComplaintAttachment

    rows = _complaint_rows(customer)
    return {"complaint_events": rows["complaint_events"].exclude(text="").update(text=""),
            "complaint_attachments": ComplaintAttachment._base_manager.filter(
                pk__in=rows["complaint_attachments"].values("pk")).delete()[0]}
