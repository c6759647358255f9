"""Serializers of the vehicle catalogue, vehicles, sales, service visits and related purchases."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.api.fields import (
    NormalizedCharField,
    check_external_id_free,
    dealer_field,
    reject_change,
    resolve_dealer_id,
)
from crm_site.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from crm_site.scope import scope_for_request
from crm_site.validators import mask_mobile, mileage_error, normalize_plate, normalize_vin, validate_not_future
from customers.api.serializers import InlineCustomerSerializer
from customers.models import Customer
from customers.privacy import mask_name
from dealers.choices import Role
from dealers.selectors import staff_match

from ..models import RelatedPurchase, Sale, ServiceVisit, Vehicle, VehicleModel
from ..services import last_known_km


def staff_by_code(serializer, attrs: dict, dealer_id: int | None, role: str, code_field: str, field: str) -> None:
    """A consultant or advisor named by staff code (工号) or name, as a DMS knows them, becomes the user."""
    code = attrs.pop(code_field, "")
    if not code or dealer_id is None:
        return
    if attrs.get(field) is not None:
        raise serializers.ValidationError({code_field: [_("Give the id or the staff code, not both.")]})
    try:
        attrs[field] = staff_match(tenant_id=serializer.scope.tenant_id, dealer_id=dealer_id, role=role, text=code)
    except DjangoValidationError as exc:
        raise serializers.ValidationError({code_field: exc.messages}) from exc


STAFF_CODE_HELP = _("Instead of the id: the staff code (工号) or the full name, matched among the dealer's staff.")


def check_staff(user, dealer_id: int | None, role: str, field: str, message) -> None:
    """A consultant or advisor named on a record must be active staff of that role at the record's dealer."""
    if user is not None and (user.dealer_id != dealer_id or user.role != role or not user.is_active):
        raise serializers.ValidationError({field: [message]})


class ServiceWrittenSerializer(ScopedModelSerializer):
    """Creation goes through a service that checks the model itself; updates are checked here as usual."""

    def check_model_constraints(self, attrs) -> None:
        if self.instance is not None:
            super().check_model_constraints(attrs)


class VehicleModelSerializer(ScopedModelSerializer):
    """A model of the automaker's catalogue."""

    class Meta:
        model = VehicleModel
        fields = ["id", "code", "series", "name", "year", "fuel_type", "price_band", "is_active", "created_at",
                  "updated_at"]
        extra_kwargs = {"year": {"min_value": 1950, "max_value": 2100}}


class VehicleSerializer(ServiceWrittenSerializer):
    """A vehicle, known by its VIN across the network; posting a known VIN updates that vehicle."""

    vin = NormalizedCharField(normalize_vin, required=False, help_text=_("17 characters, check digit verified."))
    plate = NormalizedCharField(normalize_plate, required=False, allow_blank=True)
    dealer = dealer_field(write_only=True)
    external_id = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=64,
        help_text=_("Your dealer system's id for this vehicle (per dealer; null for multi-dealer scopes)."),
    )
    in_stock_since = serializers.DateField(
        required=False, allow_null=True,
        help_text=_("The day the vehicle arrived in the dealer's stock (库存); a delivery ends the stock."))
    stock_state = serializers.CharField(read_only=True, help_text=_("in_stock, sold, scrapped or empty (unknown)."))

    class Meta:
        model = Vehicle
        fields = ["id", "vin", "plate", "model", "colour", "owner", "selling_dealer", "delivered_on", "mileage_km",
                  "scrapped_on", "stock_dealer", "in_stock_since", "stock_state", "dealer", "external_id",
                  "created_at", "updated_at"]
        read_only_fields = ["selling_dealer", "scrapped_on", "stock_dealer"]
        extra_kwargs = {"mileage_km": {"max_value": 2_000_000}}

    def to_representation(self, vehicle):
        data = super().to_representation(vehicle)
        data["external_id"] = getattr(vehicle, "scope_external_id", None) if self.scope.single_dealer_id else None
        return data

    def validate(self, attrs):
        if self.instance is None:
            if not attrs.get("vin"):
                raise serializers.ValidationError({"vin": [_("This field is required.")]})
            attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        else:
            if attrs.get("vin") and attrs["vin"] != self.instance.vin:
                raise serializers.ValidationError({"vin": [_("A vehicle keeps its VIN.")]})
            if "dealer" in attrs or attrs.get("external_id"):
                attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        return attrs

    def service_data(self) -> dict:
        """The vehicle facts vehicle_upsert takes."""
        return {k: v for k, v in self.validated_data.items()
                if k in ("plate", "model", "colour", "delivered_on", "mileage_km")}

    def stock_data(self) -> dict | None:
        """The stock arrival given (the writing dealer's stock, since that day), for vehicle_stock_receive."""
        since = self.validated_data.get("in_stock_since")
        dealer_id = self.validated_data.get("dealer_id") or self.scope.single_dealer_id
        return {"dealer_id": dealer_id, "since": since} if since and dealer_id else None


class VehicleDataSerializer(serializers.Serializer):
    """A vehicle given inline: matched by VIN across the network, else created."""

    vin = NormalizedCharField(normalize_vin, required=False)
    plate = NormalizedCharField(normalize_plate, required=False, allow_blank=True)
    model = ScopedPrimaryKeyRelatedField(queryset=VehicleModel.objects.all(), required=False, allow_null=True)
    colour = serializers.CharField(required=False, allow_blank=True, max_length=32)
    mileage_km = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2_000_000)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=64)


class VehicleLookupSerializer(serializers.Serializer):
    """The answer to a walk-in look-up by VIN or plate; the owner is masked."""

    id = serializers.IntegerField()
    vin = serializers.CharField()
    plate = serializers.CharField()
    model = serializers.IntegerField(allow_null=True)
    owner = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField(help_text=_("Masked: first character only."))
    owner_mobile = serializers.CharField(help_text=_("Masked: 138****5678."))
    linked = serializers.BooleanField(help_text=_("Whether your scope already sees this vehicle."))

    @staticmethod
    def answer(vehicle: Vehicle, linked: bool) -> dict:
        owner = vehicle.owner
        return {
            "id": vehicle.pk, "vin": vehicle.vin, "plate": vehicle.plate, "model": vehicle.model_id,
            "owner": vehicle.owner_id, "owner_name": mask_name(owner.name) if owner else "",
            "owner_mobile": mask_mobile(owner.mobile) if owner and owner.mobile else "", "linked": linked,
        }


class VehicleTransferSerializer(serializers.Serializer):
    """A change of owner (二手车 / 置换): an existing customer, or one given inline."""

    new_owner = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    customer_data = InlineCustomerSerializer(required=False)
    on = serializers.DateField(required=False, help_text=_("Date of the transfer; today when left out."))
    dealer = dealer_field()

    def validate(self, attrs):
        if (attrs.get("new_owner") is None) == (not attrs.get("customer_data")):
            raise serializers.ValidationError({"new_owner": [_("Give either the new owner or their data.")]})
        scope = scope_for_request(self.context["request"])
        attrs["dealer_id"] = attrs["dealer"].pk if attrs.get("dealer") else scope.single_dealer_id
        return attrs


class SaleSerializer(ServiceWrittenSerializer):
    """A delivery; vehicle and customer as ids in your scope, or inline (matched by VIN / mobile, else created)."""

    dealer = dealer_field()
    vehicle = ScopedPrimaryKeyRelatedField(queryset=Vehicle.objects.all(), required=False)
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    vehicle_data = VehicleDataSerializer(write_only=True, required=False)
    customer_data = InlineCustomerSerializer(write_only=True, required=False)
    consultant_code = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100,
                                            help_text=STAFF_CODE_HELP)

    class Meta:
        model = Sale
        # External ids are matched (upsert) or checked by the services and validate(), not by DRF's validator.
        validators: list = []
        fields = ["id", "dealer", "vehicle", "vehicle_data", "customer", "customer_data", "consultant",
                  "consultant_code", "lead", "kind",
                  "delivered_on", "price", "external_id", "created_at", "updated_at"]
        extra_kwargs = {"price": {"min_value": 0}}

    def validate(self, attrs):
        instance = self.instance
        reject_change(instance, attrs, "dealer", _("A sale stays with its dealer."))
        reject_change(instance, attrs, "vehicle", _("A sale stays with its vehicle; record another sale."))
        reject_change(instance, attrs, "customer", _("A sale stays with its customer; transfer the vehicle instead."))
        if instance is None:
            if attrs.get("vehicle") is None and not (attrs.get("vehicle_data") or {}).get("vin"):
                raise serializers.ValidationError({"vehicle": [_("Give the vehicle or its data with the VIN.")]})
            if attrs.get("customer") is None and not attrs.get("customer_data"):
                raise serializers.ValidationError({"customer": [_("Give the customer or the customer's data.")]})
            if not attrs.get("delivered_on"):
                raise serializers.ValidationError({"delivered_on": [_("This field is required.")]})
            attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        dealer_id = attrs.get("dealer_id") or instance.dealer_id
        staff_by_code(self, attrs, dealer_id, Role.SALES_CONSULTANT, "consultant_code", "consultant")
        check_staff(attrs.get("consultant"), dealer_id, Role.SALES_CONSULTANT, "consultant",
                    _("Choose an active sales consultant of the sale's dealer."))
        lead = attrs.get("lead")
        if lead is not None and lead.dealer_id != dealer_id:
            raise serializers.ValidationError({"lead": [_("Choose a lead of the sale's dealer.")]})
        if instance is not None:
            try:
                validate_not_future(attrs.get("delivered_on"))
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"delivered_on": exc.messages}) from exc
            check_external_id_free(Sale, dealer_id, attrs.get("external_id"), instance)
            self.check_model_constraints(attrs)
        return attrs

    def update(self, instance, validated_data):
        for name in ("vehicle_data", "customer_data", "dealer_id"):
            validated_data.pop(name, None)
        return super().update(instance, validated_data)


class ServiceVisitSerializer(ServiceWrittenSerializer):
    """A repair order: name the vehicle by id, or by VIN or plate (a walk-in from anywhere in the network)."""

    dealer = dealer_field()
    vehicle = ScopedPrimaryKeyRelatedField(queryset=Vehicle.objects.all(), required=False)
    vin = NormalizedCharField(normalize_vin, write_only=True, required=False,
                              help_text=_("Finds the vehicle in the whole network; an unknown VIN registers it."))
    plate = NormalizedCharField(normalize_plate, write_only=True, required=False, allow_blank=True)
    vehicle_data = VehicleDataSerializer(write_only=True, required=False)
    customer_data = InlineCustomerSerializer(write_only=True, required=False)
    advisor_code = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100,
                                         help_text=STAFF_CODE_HELP)
    odometer_replaced = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text=_("True when the mileage is lower than the vehicle's last known one because the odometer was replaced."))
    owner_unknown = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text=_("True to register an unknown VIN without an owner; otherwise give customer_data."))

    class Meta:
        model = ServiceVisit
        # External ids are matched (upsert) or checked by the services and validate(), not by DRF's validator.
        validators: list = []
        fields = ["id", "dealer", "vehicle", "vin", "plate", "vehicle_data", "customer", "customer_data", "advisor",
                  "advisor_code", "kind", "opened_at", "closed_at", "mileage_km", "odometer_replaced", "amount",
                  "owner_unknown", "external_id", "created_at", "updated_at"]
        read_only_fields = ["customer"]
        extra_kwargs = {"amount": {"min_value": 0}, "mileage_km": {"max_value": 2_000_000}}

    def validate(self, attrs):
        instance = self.instance
        reject_change(instance, attrs, "dealer", _("A visit stays with its dealer."))
        reject_change(instance, attrs, "vehicle", _("A visit stays with its vehicle; record another visit."))
        if instance is None:
            if attrs.get("vehicle") is None and not attrs.get("vin") and not attrs.get("plate"):
                raise serializers.ValidationError({"vin": [_("Give the vehicle, its VIN or its plate.")]})
            attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        opened = attrs.get("opened_at", getattr(instance, "opened_at", None))
        closed = attrs.get("closed_at", getattr(instance, "closed_at", None))
        if opened and closed and closed < opened:
            raise serializers.ValidationError({"closed_at": [_("A visit cannot close before it opened.")]})
        dealer_id = attrs.get("dealer_id") or instance.dealer_id
        staff_by_code(self, attrs, dealer_id, Role.SERVICE_ADVISOR, "advisor_code", "advisor")
        check_staff(attrs.get("advisor"), dealer_id, Role.SERVICE_ADVISOR, "advisor",
                    _("Choose an active service advisor of the visit's dealer."))
        if instance is not None:
            check_external_id_free(ServiceVisit, dealer_id, attrs.get("external_id"), instance)
            self.check_model_constraints(attrs)
        return attrs

    def update(self, instance, validated_data):
        for name in ("vin", "plate", "vehicle_data", "customer_data", "dealer_id", "owner_unknown"):
            validated_data.pop(name, None)
        self.check_update_plausible(instance, validated_data, validated_data.pop("odometer_replaced", False))
        return super().update(instance, validated_data)

    @staticmethod
    def check_update_plausible(instance, data: dict, odometer_replaced: bool) -> None:
        """A changed visit keeps to the rules of a new one: not dated ahead, mileage not going down."""
        errors = {}
        for field in ("opened_at", "closed_at"):
            try:
                validate_not_future(data.get(field))
            except DjangoValidationError as exc:
                errors[field] = exc.messages
        mileage = data.get("mileage_km")
        if mileage is not None and mileage != instance.mileage_km:
            last = last_known_km(instance.vehicle, data.get("opened_at", instance.opened_at), instance.pk)
            problem = mileage_error(mileage_km=mileage, last_km=last, odometer_replaced=odometer_replaced)
            if problem:
                errors["mileage_km"] = [problem]
        if errors:
            raise serializers.ValidationError(errors)


# The list of visits is the busiest read of the API (DMS syncs, benchmarked in DESIGN §8): it skips the serializer
# machinery and renders plain column values exactly as ServiceVisitSerializer would (a test compares the two).
# Times come as integer microseconds since the epoch, which is several times cheaper than loading datetimes.
VISIT_LIST_COLUMNS = ("id", "dealer_id", "vehicle_id", "customer_id", "advisor_id", "kind", "mileage_km", "amount",
                      "external_id")
VISIT_LIST_TIMES = ("opened_at", "closed_at", "created_at", "updated_at")


def visit_list_values(queryset):
    """The visits' list columns, times as epoch microseconds (`<name>_us`)."""
    table = queryset.model._meta.db_table
    times = {f"{name}_us": RawSQL(f'(extract(epoch from "{table}"."{name}") * 1000000)::bigint', ())  # noqa: S611
             for name in VISIT_LIST_TIMES}
    return queryset.values(*VISIT_LIST_COLUMNS, **times)


def _iso(us: int | None, tz) -> str | None:
    """Epoch microseconds as DRF renders a datetime: in the current time zone, ISO 8601, UTC as Z."""
    if us is None:
        return None
    seconds, micro = divmod(us, 1_000_000)
    text = datetime.fromtimestamp(seconds, tz).replace(microsecond=micro).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def visit_rows(rows) -> list[dict]:
    """ServiceVisitSerializer's output for rows of visit_list_values()."""
    tz = timezone.get_current_timezone()
    return [
        {
            "id": row["id"], "dealer": row["dealer_id"], "vehicle": row["vehicle_id"], "customer": row["customer_id"],
            "advisor": row["advisor_id"], "kind": row["kind"], "opened_at": _iso(row["opened_at_us"], tz),
            "closed_at": _iso(row["closed_at_us"], tz), "mileage_km": row["mileage_km"],
            "amount": f"{row['amount']:.2f}", "external_id": row["external_id"],
            "created_at": _iso(row["created_at_us"], tz), "updated_at": _iso(row["updated_at_us"], tz),
        }
        for row in rows
    ]


class RelatedPurchaseSerializer(ServiceWrittenSerializer):
    """Insurance, extended warranty, accessories or finance sold to a customer (the "Related" of 3R)."""

    dealer = dealer_field()

    class Meta:
        model = RelatedPurchase
        # External ids are matched (upsert) or checked by the services and validate(), not by DRF's validator.
        validators: list = []
        fields = ["id", "dealer", "customer", "vehicle", "kind", "purchased_on", "expires_on", "amount", "provider",
                  "external_id", "created_at", "updated_at"]
        extra_kwargs = {"amount": {"min_value": 0}}

    def validate(self, attrs):
        instance = self.instance
        reject_change(instance, attrs, "dealer", _("A purchase stays with its dealer."))
        if instance is None:
            attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        bought = attrs.get("purchased_on", getattr(instance, "purchased_on", None))
        expires = attrs.get("expires_on", getattr(instance, "expires_on", None))
        if bought and expires and expires < bought:
            raise serializers.ValidationError({"expires_on": [_("It cannot expire before it was bought.")]})
        if instance is not None:
            check_external_id_free(RelatedPurchase, instance.dealer_id, attrs.get("external_id"), instance)
            self.check_model_constraints(attrs)
        return attrs

    def update(self, instance, validated_data):
        validated_data.pop("dealer_id", None)
        return super().update(instance, validated_data)
