"""API views of the catalogue, vehicles (look-up, transfer), sales, service visits and related purchases."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from crm_site.api.bulk import BulkUpsertMixin, UpsertCreateMixin, bulk_schema
from crm_site.api.viewsets import ScopedModelViewSet
from crm_site.models import audit
from crm_site.validators import normalize_plate, normalize_vin
from customers.choices import LinkKind

from ..access import CATALOGUE_EDIT, RELATED_RECORD, SALE_RECORD, VEHICLE_DELETE, VEHICLE_EDIT, VISIT_RECORD
from ..bulk import service_visits_bulk_upsert
from ..filtersets import (
    RelatedPurchaseFilterSet,
    SaleFilterSet,
    ServiceVisitFilterSet,
    VehicleFilterSet,
    VehicleModelFilterSet,
)
from ..lookup import vehicle_lookup
from ..models import RelatedPurchase, Sale, ServiceVisit, Vehicle, VehicleDealer, VehicleModel, vehicle_stock_receive
from ..services import related_purchase_record, sale_record, service_visit_record, vehicle_transfer, vehicle_upsert
from .serializers import (
    RelatedPurchaseSerializer,
    SaleSerializer,
    ServiceVisitSerializer,
    VehicleLookupSerializer,
    VehicleModelSerializer,
    VehicleSerializer,
    VehicleTransferSerializer,
    visit_list_values,
    visit_rows,
)

NO_LIST = {"filter_backends": [], "pagination_class": None}


def upsert_schema(name: str):
    """The create operation of a resource that upserts by the dealer's external id."""
    return extend_schema(
        summary=f"Record a {name}, or update the one with this external id",
        description="A new record answers 201; one matched by the dealer's `external_id` is updated and answers 200.",
    )


@extend_schema_view(create=extend_schema(summary="Add a model to the catalogue"))
class VehicleModelViewSet(ScopedModelViewSet):
    """The automaker's model catalogue (车型), seen by everyone in the tenant and kept by OEM administrators."""

    resource = "vehicle-models"
    queryset = VehicleModel.objects.all()
    serializer_class = VehicleModelSerializer
    filterset_class = VehicleModelFilterSet
    write_permission = CATALOGUE_EDIT


@extend_schema_view(
    create=extend_schema(
        summary="Register a vehicle, or update the one with this VIN",
        description="Vehicles are matched by VIN across the network: a known VIN updates it (200) and links it "
                    "to your dealer; a new one answers 201. `owner` hands it to that customer (ownership history).",
    ),
    bulk=bulk_schema(VehicleSerializer, "vehicles"),
)
class VehicleViewSet(BulkUpsertMixin, ScopedModelViewSet):
    """Vehicles linked to the dealers in your scope (sold or serviced there)."""

    resource = "vehicles"
    queryset = Vehicle.objects.all()
    serializer_class = VehicleSerializer
    filterset_class = VehicleFilterSet
    write_permission = VEHICLE_EDIT
    action_permissions = {"destroy": VEHICLE_DELETE}

    def get_queryset(self):
        queryset = super().get_queryset()
        dealer_id = self.scope.single_dealer_id if self.scope else None
        if dealer_id:
            own = VehicleDealer.objects.filter(vehicle_id=OuterRef("pk"), dealer_id=dealer_id)
            queryset = queryset.annotate(scope_external_id=Subquery(own.values("external_id")[:1]))
        return queryset

    def link_kind(self) -> str:
        return LinkKind.DMS if self.scope.is_api_client else LinkKind.ASSIGNED

    def perform_upsert(self, serializer):
        data = serializer.validated_data
        vehicle, created = vehicle_upsert(scope=self.scope, dealer_id=data["dealer_id"], vin=data["vin"],
                                          data=serializer.service_data(), link_kind=self.link_kind(),
                                          external_id=data.get("external_id") or "")
        self.hand_over(vehicle, data)
        self.receive_stock(vehicle, serializer)
        return vehicle, created

    def perform_update(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            vehicle, _created = vehicle_upsert(scope=self.scope, dealer_id=data.get("dealer_id"),
                                               vin=serializer.instance.vin, data=serializer.service_data(),
                                               link_kind=self.link_kind(), external_id=data.get("external_id") or "")
            self.hand_over(vehicle, data)
            self.receive_stock(vehicle, serializer)
            self.ensure_in_scope(vehicle)
        serializer.instance = self.refetch(vehicle)

    def receive_stock(self, vehicle: Vehicle, serializer) -> None:
        """A stock arrival the DMS gives (`in_stock_since`) puts the vehicle in the writing dealer's stock."""
        stock = serializer.stock_data()
        if stock:
            vehicle_stock_receive(vehicle_id=vehicle.pk, **stock)

    def hand_over(self, vehicle: Vehicle, data: dict) -> None:
        """A new owner given with the vehicle starts an ownership, as a transfer would."""
        owner = data.get("owner")
        if owner is not None and vehicle.owner_id != owner.pk:
            vehicle_transfer(scope=self.scope, vehicle=vehicle, on=data.get("delivered_on") or timezone.localdate(),
                             new_owner=owner)

    @extend_schema(
        summary="Find any vehicle of the network by exact VIN or plate, to serve a walk-in",
        description="Answers the vehicle with its owner masked; it does not link the vehicle to your dealer "
                    "(recording a visit or sale does). 404 when there is none.",
        parameters=[OpenApiParameter("vin", str, description="Exact VIN"),
                    OpenApiParameter("plate", str, description="Exact plate number")],
        responses={200: VehicleLookupSerializer, 404: OpenApiResponse(description="No such vehicle.")},
    )
    @action(detail=False, methods=["get"], **NO_LIST)
    def lookup(self, request):
        vin, plate = request.query_params.get("vin", ""), request.query_params.get("plate", "")
        try:
            if vin:
                found = vehicle_lookup(self.scope, vin=normalize_vin(vin), limit=1)
            elif plate:
                found = vehicle_lookup(self.scope, plate=normalize_plate(plate), limit=1)
            else:
                raise serializers.ValidationError({"vin": [_("Give a VIN or a plate number.")]})
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"vin" if vin else "plate": exc.messages}) from exc
        if not found:
            raise NotFound(_("No vehicle with this VIN or plate."))
        audit(self.scope, "vehicle.lookup", found[0].vehicle)
        return Response(VehicleLookupSerializer.answer(found[0].vehicle, found[0].in_scope))

    @extend_schema(summary="Hand the vehicle to a new owner (二手车 / 置换)", request=VehicleTransferSerializer,
                   responses=VehicleSerializer)
    @action(detail=True, methods=["post"], **NO_LIST)
    def transfer(self, request, pk=None):
        vehicle = self.get_object()
        form = VehicleTransferSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        with transaction.atomic():
            vehicle_transfer(scope=self.scope, vehicle=vehicle, on=data.get("on") or timezone.localdate(),
                             new_owner=data.get("new_owner"), customer_data=data.get("customer_data"),
                             dealer_id=data["dealer_id"])
            self.ensure_in_scope(vehicle)
        return Response(self.get_serializer(self.refetch(vehicle)).data)


@extend_schema_view(create=upsert_schema("sale"), bulk=bulk_schema(SaleSerializer, "sales"))
class SaleViewSet(BulkUpsertMixin, ScopedModelViewSet):
    """Deliveries (交车) by the dealers in your scope; one call records customer, vehicle and sale together."""

    resource = "sales"
    queryset = Sale.objects.all()
    serializer_class = SaleSerializer
    filterset_class = SaleFilterSet
    write_permission = SALE_RECORD

    def perform_upsert(self, serializer):
        data = serializer.validated_data
        vehicle = data.get("vehicle")
        vehicle_data = {"vin": vehicle.vin} if vehicle is not None else dict(data["vehicle_data"])
        return sale_record(
            scope=self.scope, dealer_id=data["dealer_id"], customer=data.get("customer"),
            customer_data=dict(data.get("customer_data") or {}), vehicle_data=vehicle_data,
            delivered_on=data["delivered_on"], consultant=data.get("consultant"), price=data.get("price"),
            kind=data.get("kind") or Sale._meta.get_field("kind").default,
            external_id=data.get("external_id", ""), lead=data.get("lead"),
        )


@extend_schema_view(create=upsert_schema("service visit"), bulk=bulk_schema(ServiceVisitSerializer, "service visits"))
class ServiceVisitViewSet(BulkUpsertMixin, ScopedModelViewSet):
    """Repair orders (维修工单) of the dealers in your scope; walk-ins are found by VIN or plate."""

    resource = "service-visits"
    queryset = ServiceVisit.objects.all()
    serializer_class = ServiceVisitSerializer
    filterset_class = ServiceVisitFilterSet
    write_permission = VISIT_RECORD

    def list(self, request, *args, **kwargs):
        # Benchmarked (DESIGN §8): plain column values, rendered without a serializer per row.
        queryset = visit_list_values(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(visit_rows(self.paginate_queryset(queryset)))

    def perform_upsert(self, serializer):
        data = serializer.validated_data
        vehicle = data.get("vehicle")
        return service_visit_record(
            scope=self.scope, dealer_id=data["dealer_id"], kind=data["kind"], opened_at=data["opened_at"],
            vin=vehicle.vin if vehicle is not None else data.get("vin", ""),
            plate="" if vehicle is not None else data.get("plate", ""),
            vehicle_data=dict(data.get("vehicle_data") or {}), customer_data=dict(data.get("customer_data") or {}),
            advisor=data.get("advisor"), closed_at=data.get("closed_at"), mileage_km=data.get("mileage_km"),
            amount=data.get("amount") or 0, external_id=data.get("external_id", ""),
            odometer_replaced=data.get("odometer_replaced", False), owner_unknown=data.get("owner_unknown", False),
        )

    def bulk_upsert(self, items: list) -> list[dict]:
        # Set-based: a batch of repair orders is a few statements, not a service call per item; items with
        # customer data need the customer matching of the per-item service.
        results = service_visits_bulk_upsert(scope=self.scope, items=items)
        return [result if result is not None else self.bulk_upsert_one(index, items[index])
                for index, result in enumerate(results)]


@extend_schema_view(create=upsert_schema("related purchase"))
class RelatedPurchaseViewSet(UpsertCreateMixin, ScopedModelViewSet):
    """Insurance, extended warranties, accessories and finance sold by the dealers in your scope."""

    resource = "related-purchases"
    queryset = RelatedPurchase.objects.all()
    serializer_class = RelatedPurchaseSerializer
    filterset_class = RelatedPurchaseFilterSet
    write_permission = RELATED_RECORD

    def perform_upsert(self, serializer):
        data = serializer.validated_data
        return related_purchase_record(
            scope=self.scope, dealer_id=data["dealer_id"], customer=data["customer"], kind=data["kind"],
            purchased_on=data["purchased_on"], vehicle=data.get("vehicle"), expires_on=data.get("expires_on"),
            amount=data.get("amount"), provider=data.get("provider", ""), external_id=data.get("external_id", ""),
        )

