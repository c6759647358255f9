"""One lead: who and what it is about, its notes, its way through the stages and the customer's history so far."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Exists, OuterRef, Value, When
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from crm_site.access import holds
from crm_site.timeline import customer_timeline
from crm_site.validators import national_mobile
from crm_site.web import ScopeRequiredMixin

from .. import choices, privacy, selectors
from ..access import LEAD_ASSIGN, LEAD_BOARD, LEAD_EDIT, LEAD_OWN
from ..forms import sales_consultants
from ..leads import overdue_q
from ..models import Customer, Lead, LeadStageChange

# Stages from which the board offers to record the sale (the vehicles app's sale page wins the lead).
SELLABLE_STAGES = {choices.LeadStage.CONTACTED, choices.LeadStage.TEST_DRIVE, choices.LeadStage.NEGOTIATION}


class LeadDetail(ScopeRequiredMixin, View):
    """A lead of the scope (another dealer's or tenant's answers 404), with the board's actions the role may take.

    Every role with a scope may read a lead it sees: the same lead already shows on the customer's timeline.
    """

    def get(self, request, pk: int):
        customer_visible = Customer.objects.scoped(self.scope).filter(pk=OuterRef("customer_id"))
        lead = get_object_or_404(
            Lead.objects.scoped(self.scope)
            .select_related("customer", "dealer", "assigned_to", "interested_model", "referred_by")
            .annotate(customer_in_scope=Exists(customer_visible),
                      is_overdue=Case(When(overdue_q(), then=Value(True)), default=Value(False),
                                      output_field=BooleanField())),
            pk=pk,
        )
        may_move, may_assign = LEAD_EDIT.allows(self.scope), LEAD_ASSIGN.allows(self.scope)
        labels = dict(choices.LeadStage.choices)
        targets = choices.LEAD_TRANSITIONS.get(lead.stage, frozenset()) if may_move else frozenset()
        customer = lead.customer
        context = {
            "lead": lead,
            "customer": customer,
            "customer_name": customer.name if lead.customer_in_scope else privacy.mask_name(customer.name),
            "mobile_shown": national_mobile(privacy.shown_mobile(self.scope, customer)) if customer.mobile else "",
            "mobile_masked": bool(customer.mobile) and not privacy.sees_full_mobile(self.scope),
            "history": LeadStageChange.objects.scoped(self.scope).filter(lead=lead).select_related("changed_by"),
            # The customer's history as this scope may see it: every source is read through the scope.
            "timeline": customer_timeline(self.scope, customer) if lead.customer_in_scope else [],
            "moves": [(stage, labels[stage]) for stage in selectors.BOARD_STAGES
                      # Lost has its form with the reason; a lead is won by recording its sale, not by a button.
                      if stage in targets and stage not in (choices.LeadStage.LOST, choices.LeadStage.WON)],
            "can_lose": choices.LeadStage.LOST in targets,
            "lost_reasons": choices.LostReason.choices,
            "may_assign": may_assign,
            "assign_choices": list(sales_consultants(self.scope, lead.dealer_id)) if may_assign else [],
            # Recording the sale belongs to the vehicles app: asked by permission code, not imported.
            "may_sell": holds(self.scope, "vehicles.sale_record") and lead.stage in SELLABLE_STAGES,
            "back_url": reverse("customers:lead-detail", args=[lead.pk]),
            "leads_url": reverse("customers:lead-mine") if LEAD_OWN.allows(self.scope)
            else reverse("customers:lead-board") if LEAD_BOARD.allows(self.scope) else "",
        }
        return render(request, "customers/lead_detail.html", context)
