"""The board's landing-page widget for supervisors: the queues now and today's calls."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.plugins import Widget

from ..access import SUPERVISE
from .selectors import board_today


def _queues_now(request, scope) -> dict:
    """Backlog, due today, overdue and held tasks now, and today's calls and reach rate, in two queries."""
    from .views import board_now, percent

    today = board_today(scope, now=board_now())
    return {"board": today, "reach_rate": percent(today.reach_rate)}


WIDGETS = (
    Widget(code="callcenter_board", title=_("Follow-up queues now"), template="callcenter/board/_widget.html",
           context=_queues_now, permission=SUPERVISE, order=20),
)
