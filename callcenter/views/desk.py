"""The agent workspace (the page an agent keeps open all day): next call, the call itself, my callbacks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from crm_site.registry import registry
from crm_site.web import ScopeRequiredMixin
from customers.access import NUMBER_REVEAL
from customers.models import ConsentRecord, Customer
from customers.services import customer_reveal
from vehicles.models import ServiceVisit

from ..access import COMPLAINT_OPEN, QUEUE_WORK
from ..choices import TaskStatus
from ..models import Call, Complaint, ComplaintStatus, FollowUpTask, NumberFlag
from ..queue import (
    OutsideCallingWindow,
    Worklist,
    callback_grace,
    followup_claim_next,
    followup_outcome,
    followup_release,
    followup_renew,
    followup_take_callback,
)
from ..rules import render_script_safely
from .forms import OUTCOME_KEYS, OutcomeForm

QUEUE_KEY = "callcenter_queue"


def held_by_me(scope):
    """The tasks I hold now (status claimed, assigned to me), most urgent first."""
    return (FollowUpTask.objects.scoped(scope)
            .filter(status=TaskStatus.CLAIMED, assigned_to_id=scope.user_id, claimed_until__gte=timezone.now())
            .select_related("rule").order_by("priority", "due_on", "id"))


def claim_and_go(request, scope, queue: str = ""):
    """Claim the next task and open it; or come back to the workspace saying why there is none."""
    try:
        tasks = followup_claim_next(scope=scope, queue=queue)
    except OutsideCallingWindow as exc:
        messages.info(request, _("Customers are not called now: the next calling window opens %(when)s.")
                      % {"when": formats.date_format(timezone.localtime(exc.next_slot), "DATETIME_FORMAT")})
        return redirect("callcenter:workspace")
    if not tasks:
        messages.info(request, _("No call is due in this queue now."))
        return redirect("callcenter:workspace")
    return redirect("callcenter:task", pk=tasks[0].pk)


class Workspace(ScopeRequiredMixin, TemplateView):
    """Start here: the queues I may work with what is due in each, my callbacks, and "Next call"."""

    template_name = "callcenter/workspace.html"
    read_permission = QUEUE_WORK

    def get(self, request, *args, **kwargs):
        held = held_by_me(self.scope).first()
        if held is not None:
            return redirect("callcenter:task", pk=held.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        worklist = Worklist.of(self.scope)
        now = timezone.now()
        calendar = worklist.calendar(self.scope.tenant_id) if worklist else None
        today = calendar.local_day(now) if calendar else timezone.localdate()
        due = Q(status=TaskStatus.OPEN, due_on__lte=today, expires_on__gte=today) & (
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        rows = FollowUpTask.objects.none()
        if worklist is not None:
            rows = FollowUpTask.objects.scoped(self.scope).filter(worked_by=worklist.worked_by)
            if worklist.dealer_id:
                rows = rows.filter(dealer_id=worklist.dealer_id)
        context["queues"] = list(
            rows.filter(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED], expires_on__gte=today)
            .values("queue").order_by("queue")
            .annotate(due=Count("id", filter=due & (Q(callback_at__isnull=True) | Q(
                          callback_at__lte=now - callback_grace()))),
                      held=Count("id", filter=Q(status=TaskStatus.CLAIMED)),
                      later=Count("id", filter=Q(status=TaskStatus.OPEN) & ~due))
        )
        context["callbacks_due"] = FollowUpTask.objects.scoped(self.scope).filter(
            status=TaskStatus.OPEN, assigned_to_id=self.scope.user_id, callback_at__isnull=False,
            callback_at__lte=now).count()
        context["calling_now"] = calendar.in_calling_window(now) if calendar else False
        context["next_slot"] = calendar.next_calling_slot(now) if calendar else None
        return context


class NextCall(ScopeRequiredMixin, View):
    """POST: claim the most urgent task (of one queue, if chosen) and open it."""

    read_permission = QUEUE_WORK

    def post(self, request):
        held = held_by_me(self.scope).first()
        if held is not None:
            return redirect("callcenter:task", pk=held.pk)
        queue = (request.POST.get("queue") or "")[:40]
        request.session[QUEUE_KEY] = queue  # after each outcome the next call comes from the same choice
        return claim_and_go(request, self.scope, queue)


def task_context(scope, task: FollowUpTask) -> dict:
    """Everything the call screen shows beside the task: customer 360 summary, vehicle, history, the script."""
    customer = Customer.objects.get(pk=task.customer_id)
    vehicle = None
    if task.vehicle_id:
        from vehicles.models import Vehicle

        vehicle = Vehicle.objects.select_related("model", "selling_dealer").filter(pk=task.vehicle_id).first()
    visits = list(ServiceVisit.objects.scoped(scope).filter(vehicle_id=task.vehicle_id).select_related("dealer")
                  .order_by("-opened_at")[:3]) if task.vehicle_id else []
    calls = list(Call.objects.scoped(scope).filter(customer_id=customer.pk).select_related("agent")
                 .order_by("-started_at")[:10])
    others = list(FollowUpTask.objects.scoped(scope).filter(customer_id=customer.pk).exclude(pk=task.pk)
                  .select_related("rule").order_by("-due_on")[:10])
    latest = {}
    for record in ConsentRecord.objects.filter(customer_id=customer.pk, channel="phone").order_by("created_at", "id"):
        latest[record.get_purpose_display()] = record.granted  # the latest record per purpose is in force
    consents = list(latest.items())
    from dealers.models import Dealer, User

    dealer = Dealer.objects.get(pk=task.dealer_id)
    agent = User.objects.filter(pk=scope.user_id).first()
    values = {
        "customer": customer.name, "model": str(vehicle.model) if vehicle and vehicle.model else "",
        "vin": vehicle.vin if vehicle else "", "plate": vehicle.plate if vehicle else "", "dealer": dealer.name,
        "date": task.trigger_on.isoformat(), "due_on": task.due_on.isoformat(), "agent": str(agent or ""),
    }
    return {
        "task": task, "customer": customer, "vehicle": vehicle, "visits": visits, "calls": calls, "others": others,
        "consents": consents, "dealer": dealer, "script": render_script_safely(task.rule.script, values),
        "flagged": NumberFlag.objects.filter(customer_id=customer.pk, number=customer.mobile).exists(),
        "may_reveal": NUMBER_REVEAL.allows(scope), "complaints": open_complaints(scope, customer),
        "may_complain": COMPLAINT_OPEN.allows(scope),
    }


def open_complaints(scope, customer) -> list:
    """The customer's complaints not yet closed, newest first."""
    return list(Complaint.objects.scoped(scope).filter(customer_id=customer.pk)
                .exclude(status=ComplaintStatus.CLOSED).order_by("-id")[:5])


class TaskWork(ScopeRequiredMixin, View):
    """The call screen: the task I hold with the outcome form; anyone else in scope sees it read-only."""

    template_name = "callcenter/task.html"

    def get_task(self, pk):
        return get_object_or_404(FollowUpTask.objects.scoped(self.scope).select_related("rule"), pk=pk)

    def holding(self, task) -> bool:
        return (task.status == TaskStatus.CLAIMED and task.assigned_to_id == self.scope.user_id
                and QUEUE_WORK.allows(self.scope))

    def sections(self, task, data=None, errors=None) -> list[dict]:
        """The parts other apps add to this task's call screen, with their context."""
        return [{"code": section.code, "template": section.template,
                 **section.context(self.scope, task, data, (errors or {}).get(section.code, {}))}
                for section in registry["call_sections"] if section.applies(task)]

    def render_page(self, task, form=None, status=200, data=None, errors=None):
        context = task_context(self.scope, task)
        context["sections"] = self.sections(task, data, errors) if self.holding(task) else []
        holding = self.holding(task)
        if holding:
            context["bundle"] = list(FollowUpTask.objects.scoped(self.scope).filter(
                customer_id=task.customer_id, status=TaskStatus.CLAIMED, assigned_to_id=self.scope.user_id,
            ).exclude(pk=task.pk).select_related("rule"))
        context.update(holding=holding, form=form or OutcomeForm(questions=task.rule.questions),
                       outcome_keys=[(n, o.value, o.label) for n, o in enumerate(OUTCOME_KEYS, start=1)])
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page(self.get_task(pk))

    def post(self, request, pk):
        task = self.get_task(pk)
        if not self.holding(task):
            raise PermissionDenied
        form = OutcomeForm(request.POST, questions=task.rule.questions)
        if not form.is_valid():
            return self.render_page(task, form, data=request.POST)
        section_errors = {}
        try:
            with transaction.atomic():
                followup_outcome(scope=self.scope, task=task, data=form.outcome_input())
                for section in registry["call_sections"]:
                    if section.applies(task):
                        try:
                            section.save(self.scope, task, request.POST, form.cleaned_data["outcome"])
                        except ValidationError as exc:
                            section_errors[section.code] = exc.message_dict if hasattr(exc, "error_dict") \
                                else {"__all__": exc.messages}
                if section_errors:
                    raise ValidationError(_("Check the answers below."))
        except ValidationError as exc:
            if not section_errors:
                form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
            else:
                form.add_error(None, exc.messages[0])
            task.refresh_from_db()
            return self.render_page(task, form, data=request.POST, errors=section_errors)
        messages.success(request, _("Outcome saved."))
        if form.cleaned_data.get("next_call"):
            return claim_and_go(request, self.scope, request.session.get(QUEUE_KEY, ""))
        return redirect("callcenter:workspace")


class TaskReveal(ScopeRequiredMixin, View):
    """POST: show the customer's mobile in full with a tel: link (logged)."""

    read_permission = NUMBER_REVEAL

    def post(self, request, pk):
        task = get_object_or_404(FollowUpTask.objects.scoped(self.scope), pk=pk)
        customer = Customer.objects.get(pk=task.customer_id)
        number = customer_reveal(scope=self.scope, customer=customer, field="mobile")
        if not number:
            return HttpResponse(_("No mobile number on file."))
        national = number.removeprefix("+86")
        return HttpResponse(format_html('<a class="tel" href="tel:{}" data-revealed>{}</a>', number, national))


class TaskRenew(ScopeRequiredMixin, View):
    """POST (every few minutes from the open call screen): keep holding the task."""

    read_permission = QUEUE_WORK

    def post(self, request, pk):
        task = get_object_or_404(FollowUpTask.objects.scoped(self.scope), pk=pk)
        try:
            followup_renew(scope=self.scope, task=task)
        except PermissionDenied:
            return HttpResponse(_("This task is no longer yours: it went back to the queue."), status=409)
        return HttpResponse(status=204)


class TaskRelease(ScopeRequiredMixin, View):
    """POST: give the task back to the queue."""

    read_permission = QUEUE_WORK

    def post(self, request, pk):
        task = get_object_or_404(FollowUpTask.objects.scoped(self.scope), pk=pk)
        try:
            followup_release(scope=self.scope, task=task)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        messages.info(request, _("The task went back to the queue."))
        return redirect("callcenter:workspace")


class MyCallbacks(ScopeRequiredMixin, TemplateView):
    """The calls I promised to make back, soonest first."""

    template_name = "callcenter/callbacks.html"
    read_permission = QUEUE_WORK

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tasks"] = list(FollowUpTask.objects.scoped(self.scope).filter(
            status=TaskStatus.OPEN, assigned_to_id=self.scope.user_id, callback_at__isnull=False,
        ).select_related("rule", "customer").order_by("callback_at")[:200])
        context["now"] = timezone.now()
        context["grace"] = callback_grace()
        return context


class TakeCallback(ScopeRequiredMixin, View):
    """POST: call one of my callbacks now."""

    read_permission = QUEUE_WORK

    def post(self, request, pk):
        task = get_object_or_404(FollowUpTask.objects.scoped(self.scope), pk=pk)
        try:
            taken = followup_take_callback(scope=self.scope, task=task)
        except OutsideCallingWindow as exc:
            messages.info(request, _("Customers are not called now: the next calling window opens %(when)s.")
                          % {"when": formats.date_format(timezone.localtime(exc.next_slot), "DATETIME_FORMAT")})
            return redirect("callcenter:callbacks")
        if not taken:
            messages.info(request, _("This callback is no longer yours."))
            return redirect("callcenter:callbacks")
        return redirect("callcenter:task", pk=task.pk)
