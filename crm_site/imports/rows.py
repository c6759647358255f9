"""One imported row → one service call per kind (customer_upsert, vehicle_upsert, sale_record, service_visit_record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from crm_site.scope import Scope
from crm_site.validators import normalize_plate, normalize_vin
from customers.choices import Gender, LinkKind
from customers.services import customer_upsert
from vehicles.choices import SaleKind, VisitKind
from vehicles.models import Sale, ServiceVisit, VehicleModel
from vehicles.services import sale_record, service_visit_record, vehicle_upsert

from .kinds import CUSTOMERS, SALES, SERVICE_VISITS, VEHICLES, normalize_header
from .values import RowReader

# Words dealers' systems use that are not our labels.
SALE_KIND_ALIASES = {"新车": SaleKind.NEW, "二手车": SaleKind.USED, "二手": SaleKind.USED, "置换": SaleKind.TRADE_IN}
VISIT_KIND_ALIASES = {
    "首保": VisitKind.FIRST_MAINTENANCE, "首次保养": VisitKind.FIRST_MAINTENANCE, "保养": VisitKind.MAINTENANCE,
    "定保": VisitKind.MAINTENANCE, "常规保养": VisitKind.MAINTENANCE, "维修": VisitKind.REPAIR,
    "机修": VisitKind.REPAIR, "一般维修": VisitKind.REPAIR, "保修": VisitKind.WARRANTY, "索赔": VisitKind.WARRANTY,
    "三包": VisitKind.WARRANTY, "事故": VisitKind.ACCIDENT, "事故维修": VisitKind.ACCIDENT, "钣喷": VisitKind.ACCIDENT,
    "钣金喷漆": VisitKind.ACCIDENT, "召回": VisitKind.RECALL,
}
GENDER_ALIASES = {"男": Gender.MALE, "m": Gender.MALE, "先生": Gender.MALE, "女": Gender.FEMALE, "f": Gender.FEMALE,
                  "女士": Gender.FEMALE, "未知": Gender.UNKNOWN}
# Service field names that differ from the import column they come from.
FIELD_COLUMNS = {"model": "model_code"}


@cache
def choice_map(choices: type[TextChoices], aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Normalised value, English label and Chinese label of each choice, plus aliases → the stored value."""
    mapping = {normalize_header(value): value for value in choices.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            mapping.update({normalize_header(str(label)): value for value, label in choices.choices})
    mapping.update({normalize_header(word): value for word, value in aliases})
    return mapping


@dataclass
class RowContext:
    """What every row of one job shares: the scope, the dealer, and vehicle models already looked up."""

    scope: Scope
    dealer_id: int
    models: dict[str, VehicleModel | None] = field(default_factory=dict)

    def vehicle_model(self, row: RowReader) -> VehicleModel | None:
        """The catalogue model named by the row's model code, looked up once per job."""
        code = row.text("model_code")
        if not code:
            return None
        if code not in self.models:
            self.models[code] = VehicleModel.objects.filter(tenant_id=self.scope.tenant_id, code=code).first()
        if self.models[code] is None:
            row.error("model_code", _("No vehicle model with this code."))
        return self.models[code]


def _given(data: dict) -> dict:
    """Only the fields the row filled in: a blank cell never erases what is known."""
    return {key: value for key, value in data.items() if value not in ("", None)}


def _person(row: RowReader) -> dict:
    """Name, mobile and ID number; one of mobile and ID number is needed to find the person again."""
    data = {"name": row.text("name"), "mobile": row.text("mobile"), "id_number": row.text("id_number")}
    if not data["mobile"] and not data["id_number"]:
        row.error("mobile", _("Enter a mobile number or an ID number, so the customer is found again next time."))
    return data


def _vehicle(ctx: RowContext, row: RowReader, vin_required: bool) -> dict:
    """VIN, plate, model and colour, normalised so each problem is reported on its own column."""
    return {
        "vin": row.normalized("vin", normalize_vin, required=vin_required),
        "plate": row.normalized("plate", normalize_plate),
        "model": ctx.vehicle_model(row),
        "colour": row.text("colour"),
    }


def import_customer(ctx: RowContext, row: RowReader) -> bool:
    """Create or update a customer, matched by external id, mobile or ID number; True when created."""
    data = _person(row)
    data.update(
        gender=row.choice("gender", choice_map(Gender, tuple(GENDER_ALIASES.items()))),
        birth_date=row.date("birth_date"),
        **{key: row.text(key) for key in ("province", "city", "address", "company_name", "notes")},
    )
    external_id = row.text("external_id")
    row.check()
    _customer, created = customer_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, data=_given(data),
                                         link_kind=LinkKind.ASSIGNED, external_id=external_id)
    return created


def import_vehicle(ctx: RowContext, row: RowReader) -> bool:
    """Create or update a vehicle by VIN; True when created."""
    data = _vehicle(ctx, row, vin_required=True)
    data.update(delivered_on=row.date("delivered_on"), mileage_km=row.integer("mileage_km"))
    external_id = row.text("external_id")
    row.check()
    vin = data.pop("vin")
    _vehicle_row, created = vehicle_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, vin=vin, data=_given(data),
                                           link_kind=LinkKind.ASSIGNED, external_id=external_id)
    return created


def import_sale(ctx: RowContext, row: RowReader) -> bool:
    """Record a delivery; a sale without an order number is the same sale as one of that VIN on that day."""
    external_id = row.text("external_id")
    delivered_on = row.date("delivered_on", required=True)
    kind = row.choice("kind", choice_map(SaleKind, tuple(SALE_KIND_ALIASES.items())), default=SaleKind.NEW)
    price = row.decimal("price")
    person = _given(_person(row))
    vehicle = _given(_vehicle(ctx, row, vin_required=True))
    row.check()
    same = Sale.objects.filter(dealer_id=ctx.dealer_id)
    if external_id:
        same = same.filter(external_id=external_id)
    else:
        same = same.filter(vehicle__tenant_id=ctx.scope.tenant_id, vehicle__vin=vehicle["vin"], delivered_on=delivered_on)
    existing = same.only("pk", "external_id").first()
    if existing is not None and not existing.external_id:
        # Recorded before without an order number: refresh the person and the car, never a second sale.
        customer_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, data=person, link_kind=LinkKind.SOLD)
        vehicle_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, vin=vehicle.pop("vin"), data=vehicle,
                       link_kind=LinkKind.SOLD)
        return False
    sale_record(scope=ctx.scope, dealer_id=ctx.dealer_id, customer_data=person, vehicle_data=vehicle,
                delivered_on=delivered_on, price=price, kind=kind,
                external_id=existing.external_id if existing is not None else external_id)
    return existing is None


def import_service_visit(ctx: RowContext, row: RowReader) -> bool:
    """Record a repair order by VIN or plate; the same repair order number again updates it."""
    external_id = row.text("external_id", required=True)
    kind = row.choice("kind", choice_map(VisitKind, tuple(VISIT_KIND_ALIASES.items())), required=True)
    opened_at = row.datetime("opened_at", required=True)
    closed_at = row.datetime("closed_at")
    mileage_km = row.integer("mileage_km")
    amount = row.decimal("amount")
    vehicle = _vehicle(ctx, row, vin_required=False)
    if not vehicle["vin"] and not vehicle["plate"] and not {"vin", "plate"} & row.errors.keys():
        row.error("vin", _("Enter the VIN or the plate number."))
    person = _given({"name": row.text("name"), "mobile": row.text("mobile")})
    row.check()
    existed = ServiceVisit.objects.filter(dealer_id=ctx.dealer_id, external_id=external_id).exists()
    service_visit_record(
        scope=ctx.scope, dealer_id=ctx.dealer_id, kind=kind, opened_at=opened_at, closed_at=closed_at,
        vin=vehicle.pop("vin"), plate=vehicle.pop("plate"), vehicle_data=_given(vehicle), customer_data=person or None,
        mileage_km=mileage_km, amount=amount or 0, external_id=external_id,
    )
    return not existed


HANDLERS: dict[str, Callable[[RowContext, RowReader], bool]] = {
    CUSTOMERS: import_customer,
    VEHICLES: import_vehicle,
    SALES: import_sale,
    SERVICE_VISITS: import_service_visit,
}
