"""What the follow-up part of the call center registers with the core (called from CallcenterConfig.ready)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def create_tenant_calendar(tenant) -> None:
    """Every tenant starts with one calendar: Asia/Shanghai, 9:00–18:00 with lunch, official holidays."""
    from .models import WorkingCalendar

    WorkingCalendar._base_manager.get_or_create(tenant=tenant, dealer=None)


def register() -> None:
    """Register menu entries, timeline sources, panels, merge participants and defaults of the queues."""
    from crm_site import plugins

    from . import access, demo, widgets
    from .booking_section import SECTION as BOOKING_SECTION
    from .models import Call, FollowUpTask, NumberFlag, ServiceBooking
    from .rules import rules_create_defaults
    from .timeline import TIMELINE_SOURCES

    plugins.register_menu(
        plugins.MenuItem(_("Call workspace"), "callcenter:workspace", access.QUEUE_WORK, order=5),
        plugins.MenuItem(_("Hotline call"), "callcenter:hotline", access.HOTLINE, order=6),
        plugins.MenuItem(pgettext_lazy("menu", "Calls"), "callcenter:call-list", (access.HOTLINE, access.BOARD_VIEW), order=32),
        plugins.MenuItem(_("Follow-ups"), "callcenter:followup-list",
                         (access.SUPERVISE, access.RULE_VIEW, access.CALL_LOG), order=33),
        plugins.MenuItem(_("Service bookings"), "callcenter:booking-list", access.CALL_LOG, order=34,
                         unless=access.HOTLINE),
        plugins.MenuItem(_("Working calendar"), "callcenter:calendar", (access.CALENDAR_EDIT, access.RULE_VIEW),
                         order=80),
        plugins.MenuItem(_("Follow-up rules"), "callcenter:rules", (access.RULE_VIEW, access.RULE_EDIT), order=81),
        plugins.MenuItem(_("Generation runs"), "callcenter:runs", (access.RULE_VIEW, access.FOLLOWUP_GENERATE),
                         order=82),
    )
    plugins.register_widgets(*widgets.WIDGETS)
    plugins.register_call_sections(BOOKING_SECTION)
    plugins.register_timeline_sources(*TIMELINE_SOURCES)
    plugins.register_customer_panels(plugins.CustomerPanel(
        code="follow_ups", template="callcenter/_customer_follow_ups.html", model=FollowUpTask, order=40,
        query=lambda rows, customer: rows.filter(customer=customer, status__in=["open", "claimed"])
        .select_related("rule").order_by("due_on")[:20],
    ))
    plugins.register_merge_participants(
        plugins.MergeParticipant("follow_ups", FollowUpTask, "customer"),
        plugins.MergeParticipant("calls", Call, "customer"),
        plugins.MergeParticipant("number_flags", NumberFlag, "customer"),
        plugins.MergeParticipant("service_bookings", ServiceBooking, "customer"),
    )
    plugins.register_tenant_defaults(
        plugins.TenantDefault("working_calendar", create_tenant_calendar),
        plugins.TenantDefault("followup_rules", rules_create_defaults),
    )
    plugins.register_demo_data(plugins.DemoData("callcenter", demo.fill))
    from .purges import PURGES

    plugins.register_data_purges(*PURGES)
    from .history import COMPLAINT_HISTORY, RULE_HISTORY

    plugins.register_history_subjects(COMPLAINT_HISTORY, RULE_HISTORY)
