"""Vehicle pages: the list, record a sale, record a service visit (walk-ins too), the vehicle page and transfer."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from crm_site.validators import national_mobile
from crm_site.web import ScopedListView, ScopeRequiredMixin
from customers import privacy
from customers.forms import add_service_errors
from customers.models import Customer
from customers.views.customers import is_htmx

from . import selectors, services
from .access import SALE_RECORD, VEHICLE_EDIT, VISIT_RECORD
from .filtersets import VehicleListFilterSet
from .forms import SaleForm, TransferForm, VisitForm, vehicle_key
from .lookup import vehicle_lookup
from .models import Sale, ServiceVisit, Vehicle


class VehicleList(ScopedListView):
    """The vehicles the scope sees, filtered and sorted by delivery date; owners masked unless served in scope."""

    # Every role reads vehicles (DESIGN §2): no permission beyond having a scope.
    model = Vehicle
    template_name = "vehicles/list.html"
    filterset_class = VehicleListFilterSet

    def get_queryset(self):
        sort = self.request.GET.get("sort", "")
        self.sort = sort if sort in selectors.SORTS else selectors.DEFAULT_SORT
        queryset = selectors.vehicles_for_list(self.scope, sort=self.sort)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return queryset.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "sort"):
            query.pop(key, None)
        context.update(sort=self.sort, filter_query=query.urlencode(),
                       next_sort="delivered" if self.sort == "-delivered" else "-delivered")
        return context


class SaleCreate(ScopeRequiredMixin, View):
    """Record a delivery: customer and vehicle matched or created, both linked to the dealer, then the 360."""

    read_permission = write_permission = SALE_RECORD

    def get(self, request):
        initial = {key: request.GET[key] for key in ("name", "mobile", "vin", "dealer") if request.GET.get(key)}
        lead_id = request.GET.get("lead", "")
        if lead_id.isdigit() and len(lead_id) < 19:
            initial["lead"] = lead_id  # the form preselects the lead's customer, model, dealer and consultant
        form = SaleForm(initial=initial, scope=self.scope)
        if is_htmx(request) and "dealer" in request.GET and "dealer" in form.fields:
            # The dealer changed: only the consultant list is sent back, in place of the old one.
            return HttpResponse(str(form["consultant"]))
        return self.render(request, form)

    def post(self, request):
        form = SaleForm(request.POST, scope=self.scope)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sale, _created = services.sale_record(
                    scope=self.scope, dealer_id=data["dealer_id"], customer=form.sale_customer(),
                    customer_data={"name": data["name"], "mobile": data["mobile"], "id_number": data["id_number"]},
                    vehicle_data={"vin": data["vin"], "plate": data["plate"], "model": data["model"],
                                  "colour": data["colour"]},
                    delivered_on=data["delivered_on"], consultant=data["consultant"], price=data["price"],
                    kind=data["kind"], lead=data["lead"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Sale recorded."))
                return redirect("customers:detail", pk=sale.customer_id)
        return self.render(request, form)

    def render(self, request, form):
        if "dealer" in form.fields:
            form.fields["dealer"].widget.attrs.update({
                "hx-get": reverse("vehicles:sale-create"), "hx-trigger": "change", "hx-include": "this",
                "hx-target": "#id_consultant", "hx-swap": "outerHTML",
            })
        return render(request, "vehicles/sale_form.html", {"form": form, "picked": form.picked()})


class VehicleLookup(ScopeRequiredMixin, View):
    """The vehicle behind a VIN or plate anywhere in the tenant, owner masked unless the dealer serves them (htmx)."""

    # Used by the sale and the visit forms: whoever may open either.
    read_permission = (SALE_RECORD, VISIT_RECORD)

    def get(self, request):
        text = request.GET.get("q", "").strip()
        context = {"state": "empty", "text": text}
        if text:
            try:
                vin, plate = vehicle_key(text)
            except ValidationError as exc:
                context.update(state="invalid", message=exc.messages[0])
            else:
                found = vehicle_lookup(self.scope, vin=vin, plate=plate, limit=1)
                context.update(vehicle_context(self.scope, found[0].vehicle) if found else {"state": "unknown"})
        return render(request, "vehicles/_lookup.html", context)


def vehicle_context(scope, vehicle: Vehicle) -> dict:
    """What a dealer may see of a vehicle it may not serve yet: facts, and the owner masked unless in scope.

    The vehicle carries `in_scope` and `owner_in_scope`, as `vehicles.lookup.vehicle_lookup` marks them.
    """
    owner = vehicle.owner
    owner_in_scope = owner is not None and vehicle.owner_in_scope
    return {
        "state": "found",
        "vehicle": vehicle,
        "in_scope": vehicle.in_scope,
        "owner": owner,
        "owner_in_scope": owner_in_scope,
        "owner_mobile": (national_mobile(privacy.shown_mobile(scope, owner)) if owner_in_scope
                         else (owner.mobile_masked if owner else "")),
    }


class VisitCreate(ScopeRequiredMixin, View):
    """Record a service visit by VIN or plate; a walk-in's vehicle and owner are linked to this dealer."""

    read_permission = write_permission = VISIT_RECORD

    def get(self, request):
        initial = {"q": request.GET["q"]} if request.GET.get("q") else {}
        return self.render(request, VisitForm(initial=initial, scope=self.scope))

    def post(self, request):
        form = VisitForm(request.POST, scope=self.scope)
        if form.is_valid():
            visit = self.record(form)
            if visit is not None:
                messages.success(request, _("Service visit recorded."))
                if visit.customer_id:
                    return redirect(reverse("customers:detail", args=[visit.customer_id]) + "#timeline")
                return redirect("vehicles:detail", pk=visit.vehicle_id)
        return self.render(request, form)

    def record(self, form: VisitForm) -> ServiceVisit | None:
        data = form.cleaned_data
        vehicle = services.vehicle_find(tenant_id=self.scope.tenant_id, vin=form.vin, plate=form.plate)
        owner_data = {"name": data["owner_name"], "mobile": data["owner_mobile"]}
        typed_owner = bool(owner_data["name"] or owner_data["mobile"])
        vin = form.vin
        if vehicle is None:
            vin = form.vin or data["new_vin"]
            if not vin:
                form.add_error("new_vin", _("No vehicle with this plate: enter its VIN to register it."))
                return None
        # Owner fields only matter for a vehicle nobody owns yet; a known owner is never replaced at the counter.
        customer_data = owner_data if typed_owner and (vehicle is None or vehicle.owner_id is None) else None
        try:
            visit, _created = services.service_visit_record(
                scope=self.scope, dealer_id=data["dealer_id"], kind=data["kind"],
                opened_at=data["opened_at"], closed_at=data["closed_at"], vin=vin, plate=form.plate,
                vehicle_data={"plate": data["new_plate"] or form.plate, "model": data["model"],
                              "colour": data["colour"]},
                customer_data=customer_data, advisor=data["advisor"], mileage_km=data["mileage_km"],
                amount=data["amount"], odometer_replaced=data["odometer_replaced"],
                owner_unknown=data["owner_unknown"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"vin": "new_vin" if not form.vin else "q", "plate": "q",
                                           "name": "owner_name", "mobile": "owner_mobile",
                                           "customer_data": "owner_name"})
            return None
        return visit

    def render(self, request, form):
        return render(request, "vehicles/visit_form.html", {"form": form})


class VehicleDetail(ScopeRequiredMixin, View):
    """A vehicle: facts, owner (masked per role), ownership history, sales, visits, and the transfer form."""

    write_permission = VEHICLE_EDIT

    def get_vehicle(self, pk: int) -> Vehicle:
        queryset = Vehicle.objects.scoped(self.scope).select_related("model", "owner", "selling_dealer")
        return get_object_or_404(queryset, pk=pk)

    def get(self, request, pk: int):
        vehicle = self.get_vehicle(pk)
        return self.render(request, vehicle, TransferForm(scope=self.scope))

    def post(self, request, pk: int):
        vehicle = self.get_vehicle(pk)
        if not self.may_write(vehicle):
            raise PermissionDenied
        form = TransferForm(request.POST, scope=self.scope)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.vehicle_transfer(
                    scope=self.scope, vehicle=vehicle, on=data["on"], new_owner=data["new_owner"],
                    customer_data={"name": data["name"], "mobile": data["mobile"]},
                    dealer_id=self.scope.single_dealer_id,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Ownership transferred."))
                return redirect("vehicles:detail", pk=vehicle.pk)
            vehicle = self.get_vehicle(pk)
        return self.render(request, vehicle, form)

    def render(self, request, vehicle: Vehicle, form: TransferForm):
        ownerships = list(vehicle.ownerships.select_related("customer").order_by("-started_on", "-id"))
        customer_ids = {row.customer_id for row in ownerships} | ({vehicle.owner_id} if vehicle.owner_id else set())
        visible = set(Customer.objects.scoped(self.scope).filter(pk__in=customer_ids).values_list("pk", flat=True))
        for row in ownerships:
            row.in_scope = row.customer_id in visible
        # The page only opens for a vehicle in scope; what the look-up marks on its rows, marked here from `visible`.
        vehicle.in_scope, vehicle.owner_in_scope = True, vehicle.owner_id in visible
        return render(request, "vehicles/detail.html", {
            **vehicle_context(self.scope, vehicle),
            "ownerships": ownerships,
            "sales": Sale.objects.scoped(self.scope).filter(vehicle=vehicle)
            .select_related("dealer", "customer", "consultant").order_by("-delivered_on"),
            "visits": ServiceVisit.objects.scoped(self.scope).filter(vehicle=vehicle)
            .select_related("dealer", "advisor").order_by("-opened_at")[:100],
            "visible_customers": visible,
            "form": form, "picked": form.picked(), "may_write": self.may_write(vehicle),
        })
