"""Checking one bulk repair-order item without the database: shape, values, normalised VIN and plate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from crm_site.validators import normalize_plate, normalize_vin, validate_not_future

from .choices import VisitKind

KINDS = frozenset(VisitKind.values)
MAX_MILEAGE = 2_000_000
_FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
MAX_AMOUNT = Decimal(10) ** 10  # DecimalField(max_digits=12, decimal_places=2)


class ItemError(Exception):
    """An item that cannot be written, with its field messages."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


@dataclass(slots=True)
class VisitRow:
    """One valid item, on its way to becoming a row of vehicles_servicevisit."""

    index: int
    dealer_id: int | None
    vin: str
    plate: str
    vehicle_id: int | None
    advisor_id: int | None
    kind: str
    opened_at: datetime
    closed_at: datetime | None
    mileage_km: int | None
    amount: Decimal
    external_id: str
    new_vehicle: dict
    customer_id: int | None = None
    advisor_code: str = ""
    odometer_replaced: bool = False
    owner_unknown: bool = False


def _digits(value) -> bool:
    """An int, or a string of ASCII digits (what int() reads the same everywhere)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.strip().isdigit())


def _id(value, field: str) -> int | None:
    """A related id as given, or None; ids are positive, so anything else names nothing."""
    if value is None:
        return None
    if not _digits(value) or len(str(value).strip()) > 18:
        raise ItemError({field: [_("Incorrect type. Expected pk value, received %(type)s.") % {
            "type": type(value).__name__}]})
    number = int(value)
    if number < 1:
        raise ItemError({field: [_("Invalid pk \"%(pk)s\" - object does not exist.") % {"pk": number}]})
    return number


def _text(value, field: str, max_length: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ItemError({field: [_("Not a valid string.")]})
    value = value.strip()
    if len(value) > max_length:
        raise ItemError({field: [_("Ensure this field has no more than %(max)d characters.") % {"max": max_length}]})
    return value


def _normalized(normalizer, value, field: str) -> str:
    text = _text(value, field, 64)
    if not text:
        return ""
    try:
        return normalizer(text)
    except DjangoValidationError as exc:
        raise ItemError({field: exc.messages}) from exc


def _datetime(value, field: str, required: bool) -> datetime | None:
    if value in (None, ""):
        if required:
            raise ItemError({field: [_("This field is required.")]})
        return None
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise ItemError({field: [_("Datetime has wrong format. Use ISO 8601, e.g. 2025-06-01T09:30:00+08:00.")]})
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _flag(value, field: str) -> bool:
    """A yes/no of the item (absent is no)."""
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)) and str(value).strip().lower() in _FLAGS:
        return _FLAGS[str(value).strip().lower()]
    raise ItemError({field: [_("Must be a valid boolean.")]})


def _not_future(value: datetime | None, field: str) -> datetime | None:
    try:
        validate_not_future(value)
    except DjangoValidationError as exc:
        raise ItemError({field: exc.messages}) from exc
    return value


def _mileage(value) -> int | None:
    if value in (None, ""):
        return None
    if not _digits(value):
        raise ItemError({"mileage_km": [_("A valid integer is required.")]})
    number = int(value)
    if number < 0:
        raise ItemError({"mileage_km": [MinValueValidator.message % {"limit_value": 0}]})
    if number > MAX_MILEAGE:
        raise ItemError({"mileage_km": [_("Ensure this value is less than or equal to %(max)d.") % {
            "max": MAX_MILEAGE}]})
    return number


def _amount(value) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ItemError({"amount": [_("A valid number is required.")]})
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ItemError({"amount": [_("A valid number is required.")]}) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise ItemError({"amount": [_("Enter an amount from 0 to 9999999999.99.")]})
    if amount.as_tuple().exponent < -2:
        raise ItemError({"amount": [_("Ensure that there are no more than 2 decimal places.")]})
    return amount


def parse_item(index: int, item, default_dealer_id: int | None) -> VisitRow:
    """Check one item without the database; raise ItemError with field messages."""
    if not isinstance(item, dict):
        raise ItemError({"non_field_errors": [_("Each item must be an object.")]})
    kind = item.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ItemError({"kind": [_("This field is required.") if kind in (None, "") else
                                  _("\"%(value)s\" is not a valid choice.") % {"value": kind}]})
    vehicle_data = item.get("vehicle_data") or {}
    if not isinstance(vehicle_data, dict):
        raise ItemError({"vehicle_data": [_("Expected an object.")]})
    dealer_id = _id(item.get("dealer"), "dealer")
    row = VisitRow(
        index=index,
        dealer_id=dealer_id if dealer_id is not None else default_dealer_id,
        vin=_normalized(normalize_vin, item.get("vin"), "vin"),
        plate=_normalized(normalize_plate, item.get("plate"), "plate"),
        vehicle_id=_id(item.get("vehicle"), "vehicle"),
        advisor_id=_id(item.get("advisor"), "advisor"),
        advisor_code=_text(item.get("advisor_code"), "advisor_code", 100),
        kind=kind,
        opened_at=_not_future(_datetime(item.get("opened_at"), "opened_at", required=True), "opened_at"),
        closed_at=_not_future(_datetime(item.get("closed_at"), "closed_at", required=False), "closed_at"),
        mileage_km=_mileage(item.get("mileage_km")),
        amount=_amount(item.get("amount")),
        external_id=_text(item.get("external_id"), "external_id", 64),
        odometer_replaced=_flag(item.get("odometer_replaced"), "odometer_replaced"),
        owner_unknown=_flag(item.get("owner_unknown"), "owner_unknown"),
        new_vehicle={
            "plate": _normalized(normalize_plate, vehicle_data.get("plate"), "plate"),
            "model": _id(vehicle_data.get("model"), "model"),
            "colour": _text(vehicle_data.get("colour"), "colour", 32),
        },
    )
    if row.dealer_id is None:
        raise ItemError({"dealer": [_("Choose the dealer.")]})
    if not (row.vehicle_id or row.vin or row.plate):
        raise ItemError({"vin": [_("Give the vehicle, its VIN or its plate.")]})
    if row.closed_at is not None and row.closed_at < row.opened_at:
        raise ItemError({"closed_at": [_("A visit cannot close before it opened.")]})
    return row
