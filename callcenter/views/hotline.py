"""The inbound hotline (400 热线), the call log, key-account visits and the service bookings taken on calls."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from crm_site.web import ScopedListView, ScopeRequiredMixin
from customers.access import LEAD_EDIT
from customers.models import Customer
from customers.selectors import customer_search, search_key
from vehicles.models import Vehicle

from ..access import CALL_LOG, HOTLINE
from ..calls import CallInput, call_book_service, call_log, call_open_lead
from ..choices import CallKind, Direction
from ..models import BookingStatus, Call, ServiceBooking
from .forms import BookingFromCallForm, HotlineForm, LeadFromCallForm, VisitLogForm


def form_errors(form, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields (or on the form)."""
    for name, errors in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        for message in errors:
            form.add_error(name if name in form.fields else None, message)


class Hotline(ScopeRequiredMixin, View):
    """Take an inbound call: find the caller by mobile, VIN or plate (or note a new caller), then log it."""

    template_name = "callcenter/hotline.html"
    read_permission = HOTLINE

    def picked(self, request):
        """The customer and vehicle chosen from the search (ids in the query string or the form)."""
        source = request.POST if request.method == "POST" else request.GET
        customer = vehicle = None
        customer_id, vehicle_id = source.get("customer", ""), source.get("vehicle", "")
        if customer_id.isdigit() and len(customer_id) < 19:
            customer = Customer.objects.scoped(self.scope).filter(pk=int(customer_id)).first()
        if customer is not None:
            vehicles = list(Vehicle.objects.scoped(self.scope).filter(owner=customer).select_related("model"))
            if vehicle_id.isdigit() and len(vehicle_id) < 19:
                vehicle = next((v for v in vehicles if v.pk == int(vehicle_id)), None)
        else:
            vehicles = []
        return customer, vehicle, vehicles

    def render_page(self, request, form, status=200):
        q = (request.GET.get("q") or "")[:64]
        key = search_key(q)
        results = list(customer_search(self.scope, key)[:10]) if q else []
        customer, vehicle, vehicles = self.picked(request)
        return render(request, self.template_name, {
            "form": form, "q": q, "key": key, "results": results, "customer": customer, "vehicle": vehicle,
            "vehicles": vehicles,
        }, status=status)

    def get(self, request):
        customer, vehicle, _vehicles = self.picked(request)
        initial = {"customer": customer.pk if customer else None, "vehicle": vehicle.pk if vehicle else None}
        key = search_key(request.GET.get("q") or "")
        if customer is None and key.kind == "mobile":
            initial["caller_number"] = key.value
        return self.render_page(request, HotlineForm(initial=initial, scope=self.scope))

    def post(self, request):
        form = HotlineForm(request.POST, scope=self.scope)
        customer, vehicle, _vehicles = self.picked(request)
        if not form.is_valid():
            return self.render_page(request, form)
        data = form.cleaned_data
        started = timezone.now() - dt.timedelta(seconds=data.get("duration_s") or 0)
        try:
            call = call_log(scope=self.scope, data=CallInput(
                direction=Direction.INBOUND, category=data["category"], customer=customer, vehicle=vehicle,
                dealer_id=data["dealer"].pk if data.get("dealer") else None, caller_number=data["caller_number"],
                caller_name=data["caller_name"], notes=data["notes"], started_at=started,
                duration_s=data.get("duration_s") or 0))
        except ValidationError as exc:
            form_errors(form, exc)
            return self.render_page(request, form)
        messages.success(request, _("Call logged."))
        return redirect("callcenter:call-detail", pk=call.pk)


class CallList(ScopedListView):
    """Calls in the scope, newest first."""

    model = Call
    template_name = "callcenter/call_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (super().get_queryset().select_related("customer", "agent", "dealer", "follow_up__rule")
                .order_by("-started_at", "-id"))


class CallDetail(ScopeRequiredMixin, DetailView):
    """One call, and what to do from it: a complaint, a lead, a service booking."""

    model = Call
    template_name = "callcenter/call_detail.html"

    def get_queryset(self):
        return Call.objects.scoped(self.scope).select_related("customer", "vehicle", "dealer", "agent", "lead")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call = self.object
        may_act = HOTLINE.allows(self.scope) and call.customer_id is not None
        context.update(
            may_act=may_act,
            may_lead=may_act and LEAD_EDIT.allows(self.scope) and call.lead_id is None,
            lead_form=kwargs.get("lead_form") or LeadFromCallForm(scope=self.scope,
                                                                  initial={"dealer": call.dealer_id}),
            booking_form=kwargs.get("booking_form") or BookingFromCallForm(
                scope=self.scope, initial={"dealer": call.dealer_id}),
            bookings=list(ServiceBooking.objects.scoped(self.scope).filter(call=call).select_related("dealer")),
        )
        return context


class CallAction(ScopeRequiredMixin, View):
    """POST from a call: open a lead (`lead`) or book a service visit (`booking`) for a store."""

    read_permission = HOTLINE

    def post(self, request, pk, what):
        if what not in ("lead", "booking"):
            raise Http404
        call = get_object_or_404(Call.objects.scoped(self.scope).select_related("customer", "vehicle"), pk=pk)
        if what == "lead":
            if not LEAD_EDIT.allows(self.scope):
                raise PermissionDenied
            form = LeadFromCallForm(request.POST, scope=self.scope)
            action = lambda data: call_open_lead(  # noqa: E731
                scope=self.scope, call=call, dealer_id=data["dealer"].pk,
                interested_model=data.get("interested_model"), notes=data.get("notes", ""))
            done = _("Lead sent to the dealer.")
        else:
            form = BookingFromCallForm(request.POST, scope=self.scope)
            action = lambda data: call_book_service(  # noqa: E731
                scope=self.scope, call=call, dealer_id=data["dealer"].pk, wanted_on=data["wanted_on"],
                notes=data.get("notes", ""))
            done = _("Booking sent to the dealer.")
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("callcenter:call-detail", pk=call.pk)
        view = CallDetail()
        view.setup(request, pk=pk)
        view.scope, view.object = self.scope, call
        context = view.get_context_data(object=call, **{f"{what}_form": form})
        return render(request, CallDetail.template_name, context)


class VisitLog(ScopeRequiredMixin, View):
    """Log a key-account (大客户) on-site visit as a call of kind visit, from the customer's page."""

    template_name = "callcenter/visit_form.html"
    read_permission = CALL_LOG

    def customer(self, pk):
        return get_object_or_404(Customer.objects.scoped(self.scope), pk=pk)

    def get(self, request, pk):
        form = VisitLogForm(initial={"started_at": timezone.localtime().replace(second=0, microsecond=0)})
        return render(request, self.template_name, {"form": form, "customer": self.customer(pk)})

    def post(self, request, pk):
        customer = self.customer(pk)
        form = VisitLogForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                call_log(scope=self.scope, data=CallInput(
                    direction=Direction.OUTBOUND, kind=CallKind.VISIT, category="other", customer=customer,
                    notes=data["notes"], started_at=data["started_at"], duration_s=data["duration_min"] * 60))
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Visit logged."))
                return redirect("customers:detail", pk=customer.pk)
        return render(request, self.template_name, {"form": form, "customer": customer})


class BookingList(ScopedListView):
    """Service bookings taken on the hotline for the stores in scope; the store confirms or cancels them."""

    model = ServiceBooking
    template_name = "callcenter/booking_list.html"
    write_permission = CALL_LOG

    def get_queryset(self):
        rows = super().get_queryset().select_related("customer", "vehicle", "dealer")
        status = self.request.GET.get("status", BookingStatus.NEW)
        if status in BookingStatus.values:
            rows = rows.filter(status=status)
        return rows.order_by("wanted_on", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["statuses"] = BookingStatus.choices
        context["status"] = self.request.GET.get("status", BookingStatus.NEW)
        return context


class BookingSetStatus(ScopeRequiredMixin, View):
    """POST: a store confirms or cancels a booking."""

    read_permission = CALL_LOG

    def post(self, request, pk):
        from crm_site.models import audit

        booking = get_object_or_404(ServiceBooking.objects.scoped(self.scope), pk=pk)
        status = request.POST.get("status")
        if status not in (BookingStatus.CONFIRMED, BookingStatus.CANCELLED):
            messages.error(request, _("Choose confirm or cancel."))
        else:
            booking.status = status
            booking.save(update_fields=["status", "updated_at"])
            audit(self.scope, f"booking.{status}", booking)
            messages.success(request, _("Saved."))
        return redirect("callcenter:booking-list")
