"""The follow-up list: every task in the scope, filtered by queue, status, dealer, rule and due date."""

from __future__ import annotations

from crm_site.web import ScopedListView

from ..api.followups import FollowUpFilterSet
from ..models import FollowUpTask


class FollowUpList(ScopedListView):
    """Follow-ups in the scope (a store's staff see the ones their store works)."""

    model = FollowUpTask
    template_name = "callcenter/followup_list.html"
    filterset_class = FollowUpFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("rule", "customer", "dealer", "assigned_to").order_by(
            "due_on", "priority", "id")
