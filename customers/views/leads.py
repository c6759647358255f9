"""Lead pages: the dealer's pipeline by stage, "my leads", a new lead, moves and reassignment."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from crm_site.web import ScopeRequiredMixin

from .. import choices, leads, selectors
from ..access import LEAD_ASSIGN, LEAD_BOARD, LEAD_EDIT, LEAD_OWN
from ..forms import LeadFilterForm, LeadForm, LeadMoveForm, add_service_errors, sales_consultants
from ..models import Lead
from .customers import is_htmx

OPEN_STAGES = [stage for stage in selectors.BOARD_STAGES if stage in choices.OPEN_LEAD_STAGES]


class LeadBoardMixin(ScopeRequiredMixin):
    """Builds the board (columns, cards, filters) from GET or POSTed filter fields."""

    write_permission = LEAD_EDIT

    def board_context(self, data, *, mine: bool, error: str = "") -> dict:
        consultants = list(sales_consultants(self.scope, self.scope.single_dealer_id))
        filters = LeadFilterForm(data or None, consultants=sales_consultants(self.scope, self.scope.single_dealer_id))
        cleaned = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
        assignee = cleaned.get("assigned_to")
        now = timezone.now()
        queryset = selectors.leads_for_board(
            self.scope, assigned_to_id=self.scope.user_id if mine else (assignee.pk if assignee else None),
            source=cleaned.get("source", ""), overdue=bool(cleaned.get("overdue")), now=now,
        )
        columns = selectors.lead_board(queryset, now=now)
        labels = dict(choices.LeadStage.choices)
        for column in columns:
            for lead in column.cards:
                targets = choices.LEAD_TRANSITIONS.get(lead.stage, frozenset())
                # Buttons follow the funnel's order; "lost" has its own small form with the reason.
                lead.moves = [(stage, labels[stage]) for stage in selectors.BOARD_STAGES
                              if stage in targets and stage != choices.LeadStage.LOST]
                lead.can_lose = choices.LeadStage.LOST in targets
        return {
            "columns": columns, "filters": filters, "mine": mine, "board_error": error,
            "consultants": consultants, "lost_reasons": choices.LostReason.choices,
            "may_assign": LEAD_ASSIGN.allows(self.scope),
            "board_url": reverse("customers:lead-mine" if mine else "customers:lead-board"),
            "total": sum(column.count for column in columns),
        }


class LeadBoard(LeadBoardMixin, View):
    """The pipeline: one column per stage with counts, cards and move buttons."""

    mine = False
    read_permission = LEAD_BOARD

    def get(self, request):
        context = self.board_context(request.GET, mine=self.mine)
        template = "customers/_board.html" if is_htmx(request) else "customers/lead_board.html"
        return render(request, template, context)


class MyLeads(LeadBoard):
    """The leads assigned to me (a sales consultant's default view)."""

    mine = True
    read_permission = LEAD_OWN


class LeadActionMixin(LeadBoardMixin):
    """A POST on one lead, answered with the refreshed board (htmx) or a redirect back to it."""

    read_permission = LEAD_EDIT

    def get_lead(self, pk: int) -> Lead:
        return get_object_or_404(Lead.objects.scoped(self.scope), pk=pk)

    def answer(self, request, error: str = "", done: str = ""):
        mine = request.POST.get("mine") == "1"
        if is_htmx(request):
            return render(request, "customers/_board.html",
                          self.board_context(request.POST, mine=mine, error=error) | {"board_done": done})
        if error:
            messages.error(request, error)
        elif done:
            messages.success(request, done)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("customers:lead-mine" if mine else "customers:lead-board")
        return redirect(target)


def first_message(exc: ValidationError) -> str:
    """One readable sentence from a service's ValidationError."""
    return " ".join(exc.messages)


class LeadMove(LeadActionMixin, View):
    """Move a lead to another stage (POST); an impossible move or a loss without a reason is an error."""

    def post(self, request, pk: int):
        lead = self.get_lead(pk)
        form = LeadMoveForm(request.POST)
        if not form.is_valid():
            return self.answer(request, error=_("Choose a stage to move the lead to."))
        try:
            leads.lead_move(scope=self.scope, lead=lead, stage=form.cleaned_data["stage"],
                            lost_reason=form.cleaned_data["lost_reason"])
        except ValidationError as exc:
            return self.answer(request, error=first_message(exc))
        return self.answer(request, done=_("%(customer)s moved to %(stage)s.") % {
            "customer": lead.customer, "stage": lead.get_stage_display()})


class LeadAssign(LeadActionMixin, View):
    """Give a lead to another consultant of the dealer (dealer managers)."""

    write_permission = LEAD_ASSIGN

    def post(self, request, pk: int):
        lead = self.get_lead(pk)
        if not self.may_write(lead):
            raise PermissionDenied
        user = sales_consultants(self.scope, lead.dealer_id).filter(pk=request.POST.get("user") or 0).first()
        if user is None:
            return self.answer(request, error=_("Choose an active sales consultant of the lead's dealer."))
        try:
            leads.lead_assign(scope=self.scope, lead=lead, user=user)
        except ValidationError as exc:
            return self.answer(request, error=first_message(exc))
        return self.answer(request, done=_("%(customer)s is now with %(user)s.") % {
            "customer": lead.customer, "user": user})


class LeadCreate(ScopeRequiredMixin, View):
    """Open a lead for a new or known customer; without a chosen consultant the least loaded one gets it."""

    read_permission = write_permission = LEAD_EDIT

    def get(self, request):
        initial = {key: request.GET[key] for key in ("name", "mobile", "source") if request.GET.get(key)}
        return self.render(request, LeadForm(initial=initial, scope=self.scope))

    def post(self, request):
        form = LeadForm(request.POST, scope=self.scope)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lead = leads.lead_create(
                    scope=self.scope, dealer_id=self.scope.single_dealer_id, source=data["source"],
                    customer=data["customer"], customer_data={"name": data["name"], "mobile": data["mobile"]},
                    referred_by=data["referred_by"], interested_model=data["interested_model"],
                    assigned_to=data["assigned_to"], next_action_on=data["next_action_on"], notes=data["notes"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if lead.assigned_to_id:
                    messages.success(request, _("Lead opened and given to %(user)s.") % {"user": lead.assigned_to})
                else:
                    messages.success(request, _("Lead opened; the dealer has no active sales consultant yet."))
                mine = self.scope.user_id == lead.assigned_to_id
                return redirect("customers:lead-mine" if mine else "customers:lead-board")
        return self.render(request, form)

    def render(self, request, form):
        return render(request, "customers/lead_form.html", {"form": form, "picked": form.picked()})
