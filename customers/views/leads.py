"""Lead pages: the pipeline by stage (a dealer's, or HQ's and a region's across dealers), "my leads", a new lead,
moves and reassignment."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from crm_site.access import holds
from crm_site.web import ScopeRequiredMixin
from dealers.choices import DEALER_ROLES
from dealers.models import Dealer

from .. import choices, leads, selectors
from ..access import LEAD_ASSIGN, LEAD_BOARD, LEAD_EDIT, LEAD_OWN
from ..forms import LeadFilterForm, LeadForm, LeadMoveForm, add_service_errors, sales_consultants
from ..models import Lead
from .customers import is_htmx


class LeadBoardMixin(ScopeRequiredMixin):
    """Builds the board (columns, cards, filters, and across dealers the per-dealer table) from GET or POST fields."""

    write_permission = LEAD_EDIT

    def spans_dealers(self, mine: bool) -> bool:
        """HQ and regions watch the pipeline across stores (DESIGN §1); dealer staff work their own store's board."""
        return not mine and self.scope.role not in DEALER_ROLES

    def board_context(self, data, *, mine: bool, error: str = "") -> dict:
        network = self.spans_dealers(mine)
        dealers = list(Dealer.objects.scoped(self.scope).order_by("code")) if network else None
        filters = LeadFilterForm(data or None, scope=self.scope, dealers=dealers)
        cleaned = filters.filters()
        assignee = cleaned.get("assigned_to")
        now = timezone.now()
        queryset = selectors.leads_for_board(
            self.scope, dealer_id=cleaned.get("dealer"),
            assigned_to_id=self.scope.user_id if mine else (assignee.pk if assignee else None),
            source=cleaned.get("source", ""), overdue=bool(cleaned.get("overdue")), now=now,
        )
        columns = selectors.lead_board(queryset, now=now)
        may_move, may_assign = LEAD_EDIT.allows(self.scope), LEAD_ASSIGN.allows(self.scope)
        self.add_card_actions(columns, may_move=may_move, may_assign=may_assign)
        context = {
            "columns": columns, "filters": filters, "mine": mine, "board_error": error, "network": network,
            # Only a consultant has leads of their own to switch to (customers.access.LEAD_OWN).
            "has_own_leads": LEAD_OWN.allows(self.scope),
            "lost_reasons": choices.LostReason.choices, "may_assign": may_assign, "may_create": may_move,
            # Recording the sale belongs to the vehicles app: asked by permission code, not imported.
            "may_sell": holds(self.scope, "vehicles.sale_record"),
            "board_url": reverse("customers:lead-mine" if mine else "customers:lead-board"),
            "total": sum(column.count for column in columns),
        }
        if network:
            shown = [d for d in dealers if d.pk == cleaned["dealer"]] if cleaned.get("dealer") else dealers
            rows, totals = selectors.lead_pipeline_by_dealer(queryset, shown, now=now)
            context.update(pipeline=rows, pipeline_total=totals, open_stages=[
                (stage, label) for stage, label in choices.LeadStage.choices if stage in selectors.OPEN_BOARD_STAGES])
        return context

    def add_card_actions(self, columns, *, may_move: bool, may_assign: bool) -> None:
        """Each card's move buttons (if the role may move leads) and the consultants of its own dealer to reassign to."""
        labels = dict(choices.LeadStage.choices)
        cards = [lead for column in columns for lead in column.cards]
        consultants = defaultdict(list)
        if may_assign and cards:
            # One query for the consultants of every dealer on the board; a lead goes only to its own dealer's.
            for user in sales_consultants(self.scope).filter(dealer_id__in={lead.dealer_id for lead in cards}):
                consultants[user.dealer_id].append(user)
        for lead in cards:
            targets = choices.LEAD_TRANSITIONS.get(lead.stage, frozenset()) if may_move else frozenset()
            # Buttons follow the funnel's order; "lost" has its own small form with the reason.
            lead.moves = [(stage, labels[stage]) for stage in selectors.BOARD_STAGES
                          if stage in targets and stage != choices.LeadStage.LOST]
            lead.can_lose = choices.LeadStage.LOST in targets
            lead.assign_choices = consultants.get(lead.dealer_id, [])


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
    """Open a lead for a new or known customer; without a chosen consultant the least loaded one gets it.

    HQ and the call center choose the dealer (a hotline caller names the store); the consultant list follows it.
    """

    read_permission = write_permission = LEAD_EDIT

    def get(self, request):
        initial = {key: request.GET[key] for key in ("name", "mobile", "source", "dealer") if request.GET.get(key)}
        form = LeadForm(initial=initial, scope=self.scope)
        if is_htmx(request) and "dealer" in request.GET and "dealer" in form.fields:
            # The dealer changed: only the consultant list is sent back, in place of the old one.
            return HttpResponse(str(form["assigned_to"]))
        return self.render(request, form)

    def post(self, request):
        form = LeadForm(request.POST, scope=self.scope)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lead = leads.lead_create(
                    scope=self.scope, dealer_id=data["dealer_id"], source=data["source"],
                    customer=data["customer"], customer_data={"name": data["name"], "mobile": data["mobile"]},
                    referred_by=data["referred_by"], interested_model=data["interested_model"],
                    assigned_to=data["assigned_to"], next_action_on=data["next_action_on"], notes=data["notes"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.done_message(lead, chose_dealer="dealer" in form.fields))
                return redirect(self.next_url(lead))
        return self.render(request, form)

    def done_message(self, lead: Lead, *, chose_dealer: bool) -> str:
        """Who got the lead; the store too when the user chose it."""
        if chose_dealer:
            if lead.assigned_to_id:
                return _("Lead opened for %(dealer)s and given to %(user)s.") % {
                    "dealer": lead.dealer.name, "user": lead.assigned_to}
            return _("Lead opened for %(dealer)s; the dealer has no active sales consultant yet.") % {
                "dealer": lead.dealer.name}
        if lead.assigned_to_id:
            return _("Lead opened and given to %(user)s.") % {"user": lead.assigned_to}
        return _("Lead opened; the dealer has no active sales consultant yet.")

    def next_url(self, lead: Lead) -> str:
        """My leads, the board, or (for the call center, which has no board) the customer's page."""
        if self.scope.user_id == lead.assigned_to_id:
            return reverse("customers:lead-mine")
        if LEAD_BOARD.allows(self.scope):
            return reverse("customers:lead-board")
        return reverse("customers:detail", args=[lead.customer_id])

    def render(self, request, form):
        if "dealer" in form.fields:
            form.fields["dealer"].widget.attrs.update({
                "hx-get": reverse("customers:lead-create"), "hx-trigger": "change", "hx-include": "this",
                "hx-target": "#id_assigned_to", "hx-swap": "outerHTML",
            })
        return render(request, "customers/lead_form.html", {
            "form": form, "picked": form.picked(),
            "cancel_url": reverse("customers:lead-board" if LEAD_BOARD.allows(self.scope) else "customers:search"),
        })
