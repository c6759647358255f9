"""Landing-page widgets of the customers app: a consultant's leads to work today, the store's pipeline at a glance."""

from __future__ import annotations

from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget
from crm_site.timeline import as_datetime
from dealers.access import WidgetAccess

from . import choices
from .access import LEAD_BOARD, LEAD_EDIT, LEAD_OWN
from .leads import overdue_q
from .models import Lead, LeadStageChange
from .selectors import OPEN_BOARD_STAGES

SHOWN_PER_GROUP = 10

# The groups of "My leads", in the order they are worked; a lead is in the first group it matches.
OVERDUE, DUE_TODAY, NEW = 0, 1, 2


def _my_leads(request, scope) -> dict:
    """The consultant's open leads that are overdue, due today or new, up to ten of each, in one query."""
    now = timezone.now()
    today = timezone.localdate(now)
    group = Case(
        When(overdue_q(now), then=Value(OVERDUE)),
        When(next_action_on=today, then=Value(DUE_TODAY)),
        default=Value(NEW), output_field=IntegerField(),
    )
    rows = (
        Lead.objects.scoped(scope)
        .filter(assigned_to_id=scope.user_id, stage__in=choices.OPEN_LEAD_STAGES)
        .filter(overdue_q(now) | Q(next_action_on=today) | Q(stage=choices.LeadStage.NEW))
        .annotate(group=group)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("group")],
                        order_by=[F("next_action_on").asc(nulls_last=True), F("created_at").asc(), F("id").asc()]),
            in_group=Window(Count("id"), partition_by=[F("group")]),
        )
        .filter(rank__lte=SHOWN_PER_GROUP)
        .select_related("customer", "interested_model")
        .order_by("group", "rank")
    )
    groups = {OVERDUE: [], DUE_TODAY: [], NEW: []}
    totals = {OVERDUE: 0, DUE_TODAY: 0, NEW: 0}
    for lead in rows:
        groups[lead.group].append(lead)
        totals[lead.group] = lead.in_group
    return {
        "today": today,
        "groups": [
            {"key": "overdue", "label": _("Overdue"), "leads": groups[OVERDUE], "total": totals[OVERDUE],
             "rule": _("Open leads past their next action date, or new leads nobody contacted within 24 hours.")},
            {"key": "due_today", "label": _("Due today"), "leads": groups[DUE_TODAY], "total": totals[DUE_TODAY],
             "rule": _("Open leads whose next action date is today.")},
            {"key": "new", "label": _("New"), "leads": groups[NEW], "total": totals[NEW],
             "rule": _("New leads given to you, not contacted yet and not overdue.")},
        ],
        "total": sum(totals.values()),
    }


def _store_leads(request, scope) -> dict:
    """The store's open leads by stage, how many are overdue and how many came in today, in one query."""
    now = timezone.now()
    counts = Lead.objects.scoped(scope).aggregate(
        **{f"open_{stage}": Count("id", filter=Q(stage=stage)) for stage in OPEN_BOARD_STAGES},
        overdue=Count("id", filter=overdue_q(now)),
        new_today=Count("id", filter=Q(created_at__gte=as_datetime(timezone.localdate(now)))),
    )
    labels = dict(choices.LeadStage.choices)
    stages = [{"stage": stage, "label": labels[stage], "count": counts[f"open_{stage}"]} for stage in OPEN_BOARD_STAGES]
    return {"stages": stages, "open_total": sum(row["count"] for row in stages), "overdue": counts["overdue"],
            "new_today": counts["new_today"]}


SHOWN_OPENED = 10


def _leads_i_opened(request, scope) -> dict:
    """The last leads this person opened for a store (a hotline agent's hand-overs), with their stage now."""
    opened = (LeadStageChange.objects.scoped(scope)
              .filter(changed_by_id=scope.user_id, from_stage="", note="created")
              .select_related("lead__customer", "lead__dealer", "lead__assigned_to")
              .order_by("-created_at", "-id")[:SHOWN_OPENED + 1])
    rows = list(opened)
    today = as_datetime(timezone.localdate())
    return {"changes": rows[:SHOWN_OPENED], "more": len(rows) > SHOWN_OPENED, "shown": SHOWN_OPENED,
            "today": sum(1 for change in rows[:SHOWN_OPENED] if change.created_at >= today)}


WIDGETS = (
    # Call-center staff hand callers to a store as leads: they follow what became of the leads they opened.
    Widget(code="leads_i_opened", title=_("Leads you opened"), template="customers/_widget_leads_i_opened.html",
           context=_leads_i_opened, permission=WidgetAccess(LEAD_EDIT, store=False, unless=LEAD_BOARD), order=15),
    Widget(code="my_leads", title=_("My leads"), template="customers/_widget_my_leads.html", context=_my_leads,
           permission=LEAD_OWN, order=10),
    # The store's manager watches the pipeline; a consultant has "My leads" instead, HQ and regions the dealers.
    Widget(code="store_leads", title=_("Leads of the store"), template="customers/_widget_store_leads.html",
           context=_store_leads, permission=WidgetAccess(LEAD_BOARD, store=True, unless=LEAD_OWN), order=20),
)
