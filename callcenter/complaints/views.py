"""Complaint pages: the list (overdue first), open one, the complaint page with its steps, attachments, the board."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from crm_site.models import audit
from crm_site.web import ScopedListView, ScopeRequiredMixin
from customers.forms import add_service_errors
from customers.models import Customer

from ..access import COMPLAINT_CONFIRM, COMPLAINT_ESCALATE, COMPLAINT_EXPORT, COMPLAINT_OPEN, COMPLAINT_WORK
from ..models import ACTIVE_STATUSES, Call, Complaint, ComplaintAttachment, ComplaintStatus, FollowUpTask, Level
from ..models.complaints import ComplaintChannel
from . import selectors, services
from .escalation import reason_label
from .filtersets import ComplaintFilterSet
from .forms import AttachmentForm, ComplaintForm

# action → (permission, the statuses it applies to, the posted field the service takes)
ACTIONS = {
    "acknowledge": (COMPLAINT_WORK, (ComplaintStatus.OPEN, ComplaintStatus.REOPENED)),
    "note": (COMPLAINT_WORK, tuple(ComplaintStatus.values)),
    "wait": (COMPLAINT_WORK, ACTIVE_STATUSES),
    "resume": (COMPLAINT_WORK, ACTIVE_STATUSES),
    "resolve": (COMPLAINT_WORK, ACTIVE_STATUSES),
    "confirm": (COMPLAINT_CONFIRM, (ComplaintStatus.RESOLVED,)),
    "escalate": (COMPLAINT_ESCALATE, ACTIVE_STATUSES),
}


def run_action(scope, complaint: Complaint, action: str, data) -> Complaint:
    """Apply one step named by the page or the API to the complaint (ValidationError for bad input)."""
    if action == "acknowledge":
        return services.complaint_acknowledge(scope=scope, complaint=complaint, note=data.get("note", ""))
    if action == "note":
        return services.complaint_note(scope=scope, complaint=complaint, text=data.get("text", ""))
    if action == "wait":
        return services.complaint_wait(scope=scope, complaint=complaint, note=data.get("note", ""))
    if action == "resume":
        return services.complaint_resume(scope=scope, complaint=complaint, note=data.get("note", ""))
    if action == "resolve":
        return services.complaint_resolve(scope=scope, complaint=complaint, resolution=data.get("resolution", ""))
    if action == "confirm":
        accepted = data.get("accepted")
        if isinstance(accepted, str):
            accepted = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(
                accepted.lower())
        if not isinstance(accepted, bool):
            raise ValidationError({"accepted": [_("Say whether the customer accepted the resolution.")]})
        return services.complaint_confirm(scope=scope, complaint=complaint, accepted=accepted,
                                          note=data.get("note", ""))
    if action == "escalate":
        return services.complaint_escalate(scope=scope, complaint=complaint, reason=data.get("reason", ""))
    raise Http404


class ComplaintList(ScopedListView):
    """Complaints the scope sees, overdue first; a store sees its own, a region manager the region's, HQ all."""

    model = Complaint
    template_name = "callcenter/complaints/list.html"
    filterset_class = ComplaintFilterSet
    paginate_by = 50

    def get_queryset(self):
        queryset = selectors.complaints_for_list(self.scope)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return queryset.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(may_open=COMPLAINT_OPEN.allows(self.scope), may_export=COMPLAINT_EXPORT.allows(self.scope),
                       now=timezone.now())
        return context


class ComplaintCreate(ScopeRequiredMixin, View):
    """Open a complaint for a customer picked by mobile, VIN or plate (or from the customer page: ?customer=ID)."""

    read_permission = write_permission = COMPLAINT_OPEN

    def source(self, data) -> tuple:
        """The call or follow-up the complaint comes from (ids from the query string or the form), in scope."""
        call = follow_up = None
        call_id, follow_up_id = data.get("call", ""), data.get("follow_up", "")
        if call_id.isdigit() and len(call_id) < 19:
            call = Call.objects.scoped(self.scope).filter(pk=call_id).select_related("vehicle").first()
        if follow_up_id.isdigit() and len(follow_up_id) < 19:
            follow_up = FollowUpTask.objects.scoped(self.scope).filter(pk=follow_up_id).select_related(
                "vehicle").first()
        return call, follow_up

    def get(self, request):
        initial = {}
        customer_id = request.GET.get("customer", "")
        if customer_id.isdigit() and len(customer_id) < 19:
            customer = Customer.objects.scoped(self.scope).filter(pk=customer_id).first()
            if customer is not None:
                initial["customer"] = customer
        call, follow_up = self.source(request.GET)
        origin = call or follow_up
        if origin is not None:
            # What the agent already knows from the call is not typed again.
            initial.setdefault("customer", origin.customer)
            if origin.dealer_id and self.scope.sees_dealer(origin.dealer_id):
                initial["dealer"] = origin.dealer_id
            if origin.vehicle is not None:
                initial["vehicle"] = origin.vehicle.vin
            initial["channel"] = ComplaintChannel.FOLLOW_UP if follow_up else ComplaintChannel.HOTLINE
            initial["description"] = getattr(origin, "notes", "")
        return self.render(request, ComplaintForm(initial=initial, scope=self.scope), call, follow_up)

    def post(self, request):
        self.call, self.follow_up = self.source(request.POST)
        form = ComplaintForm(request.POST, request.FILES, scope=self.scope)
        if form.is_valid():
            try:
                with transaction.atomic():  # a refused attachment opens nothing: the form comes back as typed
                    complaint = self.open(form)
            except ValidationError as exc:
                add_service_errors(form, exc, {"file": "attachment"})
            else:
                messages.success(request, _("Complaint %(number)s opened.") % {"number": complaint.number})
                return redirect("callcenter:complaint-detail", pk=complaint.pk)
        return self.render(request, form, self.call, self.follow_up)

    def open(self, form: ComplaintForm) -> Complaint:
        data = form.cleaned_data
        complaint = services.complaint_open(
            scope=self.scope, channel=data["channel"], customer=data["customer"], dealer=data["dealer"],
            severity=data["severity"], description=data["description"], category=data["category"],
            vehicle=form.vehicle_found, call=self.call, follow_up=self.follow_up)
        if data.get("attachment"):
            services.complaint_attach(scope=self.scope, complaint=complaint, upload=data["attachment"])
        return complaint

    def render(self, request, form, call=None, follow_up=None):
        return render(request, "callcenter/complaints/form.html", {
            "form": form, "picked": form.picked(), "none_label": _("Nobody picked yet"), "call": call,
            "follow_up": follow_up})


class ComplaintDetail(ScopeRequiredMixin, View):
    """One complaint: facts, due times explained, the steps the viewer may take, attachments and the timeline."""

    def get_complaint(self, pk: int) -> Complaint:
        try:
            return selectors.complaint_get(self.scope, pk)
        except Complaint.DoesNotExist:
            raise Http404 from None

    def get(self, request, pk: int):
        complaint = self.get_complaint(pk)
        return render(request, "callcenter/complaints/detail.html", self.context(complaint))

    def context(self, complaint: Complaint, errors=None) -> dict:
        events = selectors.complaint_events(complaint)
        for event in events:
            if event.kind == "escalated":
                event.reason = (reason_label(event.detail.get("reason", "")) if not event.detail.get("by_hand")
                                else event.text)
        actions = {name: perm.allows(self.scope) and complaint.status in statuses
                   for name, (perm, statuses) in ACTIONS.items()}
        actions["wait"] = actions["wait"] and not complaint.is_waiting
        actions["resume"] = actions["resume"] and complaint.is_waiting
        actions["escalate"] = actions["escalate"] and complaint.level != Level.HQ
        now = timezone.now()
        return {
            "complaint": complaint, "events": events, "due": selectors.due_lines(complaint, events),
            "attachments": selectors.complaint_attachments(self.scope, complaint),
            "actions": actions, "errors": errors or {},
            "may_attach": COMPLAINT_WORK.allows(self.scope) or COMPLAINT_OPEN.allows(self.scope),
            "attachment_form": AttachmentForm(),
            "customer_in_scope": Customer.objects.scoped(self.scope).filter(pk=complaint.customer_id).exists(),
            "first_contact_late": complaint.is_active and complaint.first_contact_at is None
            and complaint.first_contact_due is not None and complaint.first_contact_due < now,
            "resolution_late": complaint.is_active and complaint.resolution_due is not None
            and complaint.resolution_due < now,
        }


class ComplaintAction(ComplaintDetail):
    """POST one step (acknowledge, note, wait, resume, resolve, confirm, escalate) from the complaint page."""

    def post(self, request, pk: int, action: str):
        if action not in ACTIONS:
            raise Http404
        complaint = self.get_complaint(pk)
        if not ACTIONS[action][0].allows(self.scope):
            raise PermissionDenied
        try:
            run_action(self.scope, complaint, action, request.POST)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            context = self.context(self.get_complaint(pk), errors={action: errors})
            context["posted"] = request.POST
            return render(request, "callcenter/complaints/detail.html", context, status=400)
        messages.success(request, _("Saved."))
        return redirect("callcenter:complaint-detail", pk=complaint.pk)


class ComplaintAttach(ComplaintDetail):
    """Upload a photo or document to a complaint (type and size checked)."""

    def post(self, request, pk: int):
        complaint = self.get_complaint(pk)
        if not (COMPLAINT_WORK.allows(self.scope) or COMPLAINT_OPEN.allows(self.scope)):
            raise PermissionDenied
        form = AttachmentForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError({"file": form.errors.get("file", [_("Choose a file.")])})
            services.complaint_attach(scope=self.scope, complaint=complaint, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            context = self.context(complaint, errors={"attach": exc.message_dict})
            return render(request, "callcenter/complaints/detail.html", context, status=400)
        messages.success(request, _("Attachment added."))
        return redirect("callcenter:complaint-detail", pk=complaint.pk)


class AttachmentDownload(ScopeRequiredMixin, View):
    """An attachment, served only through the scope (never a public URL), as a download."""

    def get(self, request, pk: int, attachment: int):
        row = get_object_or_404(ComplaintAttachment.objects.scoped(self.scope), pk=attachment, complaint_id=pk)
        audit(self.scope, "complaint.attachment_read", row, complaint=pk)
        response = HttpResponse(bytes(row.data), content_type=row.content_type)
        inline = row.content_type.startswith("image/") and request.GET.get("inline") == "1"
        response["Content-Disposition"] = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''" + \
            _quote(row.name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def month_list(end: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with the month of `end`, oldest first."""
    months, month = [], end.replace(day=1)
    for _i in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))
