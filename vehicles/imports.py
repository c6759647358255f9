"""The vehicles, sales and service-visits import kinds: columns, row handlers (through the dealer services), exports.

Sales and repair orders name their sales consultant / service advisor by staff code (工号) or name; one this
dealer does not have is a row error on that column, never a sale silently without its consultant.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.imports.kinds import Column, ExportSpec, ImportContext, ImportKind
from crm_site.imports.values import RowReader, choice_map, given
from crm_site.scope import Scope
from crm_site.validators import normalize_plate, normalize_vin
from customers.choices import LinkKind
from customers.imports import ID_NUMBER, MOBILE, NAME, UPDATED, customer_in_scope, mobile_shown, person
from customers.services import customer_upsert
from dealers.choices import Role
from dealers.selectors import staff_match

from .access import SALE_RECORD, VEHICLE_EDIT, VEHICLE_EXPORT, VISIT_RECORD
from .choices import SaleKind, VisitKind
from .models import Sale, ServiceVisit, Vehicle, VehicleDealer, VehicleModel, vehicle_stock_receive
from .services import sale_record, service_visit_record, vehicle_upsert

# The same car has the same headers in every kind, so an export can be edited and imported again.
VIN = Column("vin", "车架号", "VIN", aliases=("vin码", "车辆识别代号", "车辆识别号"),
             help=gettext_lazy("17 characters; the check digit is verified."))
PLATE = Column("plate", "车牌", "plate", aliases=("车牌号", "车牌号码", "plate number", "licence plate", "license plate"),
               help=gettext_lazy("For example 京A12345."))
MODEL_CODE = Column("model_code", "车型代码", "model code", aliases=("车型编码",),
                    help=gettext_lazy("A code of the vehicle catalogue."))
COLOUR = Column("colour", "颜色", "colour", aliases=("车身颜色", "color"))
DELIVERED_ON = Column("delivered_on", "交车日期", "delivery date", aliases=("交付日期", "delivered on"),
                      help=gettext_lazy("Date such as 2026-03-01."))
IN_STOCK_SINCE = Column("in_stock_since", "入库日期", "in stock since", aliases=("到店日期", "入库时间", "stock date"),
                        help=gettext_lazy("The day the vehicle arrived in this dealer's stock, such as 2026-03-01."))
MILEAGE = Column("mileage_km", "里程", "mileage", aliases=("里程数", "公里数", "行驶里程"), help=gettext_lazy("Kilometres."))
ODOMETER_REPLACED = Column("odometer_replaced", "换表", "odometer replaced", aliases=("更换里程表", "里程表更换"),
                           help=gettext_lazy("是 / yes when the mileage is lower than before because the odometer "
                                             "was replaced; otherwise leave empty."))
YES = frozenset({"是", "y", "yes", "true", "1", "x", "√", "✓"})
NO = frozenset({"", "否", "n", "no", "false", "0"})
AMOUNT = Column("amount", "金额", "amount", aliases=("结算金额", "工单金额"), help=gettext_lazy("Yuan."))
SALE_PRICE = Column("price", "金额", "amount", aliases=("价格", "成交价", "price"), help=gettext_lazy("Yuan."))
CONSULTANT = Column("consultant", "销售顾问", "sales consultant", aliases=("顾问", "销售员", "consultant"),
                    help=gettext_lazy("Staff code (工号) or full name of a sales consultant of this dealer."))
ADVISOR = Column("advisor", "服务顾问", "service advisor", aliases=("接待顾问", "服务接待", "advisor"),
                 help=gettext_lazy("Staff code (工号) or full name of a service advisor of this dealer."))

# Columns an export adds that an import accepts and ignores.
DEALER_CODE = Column("dealer_code", "经销商代码", "dealer code")
MODEL_NAME = Column("model_name", "车型", "model")
OWNER_NAME = Column("owner_name", "车主", "owner")
SELLING_DEALER = Column("selling_dealer", "销售经销商", "selling dealer")

# Words dealers' systems use that are not our labels.
SALE_KIND_ALIASES = {"新车": SaleKind.NEW, "二手车": SaleKind.USED, "二手": SaleKind.USED, "置换": SaleKind.TRADE_IN}
VISIT_KIND_ALIASES = {
    "首保": VisitKind.FIRST_MAINTENANCE, "首次保养": VisitKind.FIRST_MAINTENANCE, "保养": VisitKind.MAINTENANCE,
    "定保": VisitKind.MAINTENANCE, "常规保养": VisitKind.MAINTENANCE, "维修": VisitKind.REPAIR,
    "机修": VisitKind.REPAIR, "一般维修": VisitKind.REPAIR, "保修": VisitKind.WARRANTY, "索赔": VisitKind.WARRANTY,
    "三包": VisitKind.WARRANTY, "事故": VisitKind.ACCIDENT, "事故维修": VisitKind.ACCIDENT, "钣喷": VisitKind.ACCIDENT,
    "钣金喷漆": VisitKind.ACCIDENT, "召回": VisitKind.RECALL,
}
# The services name the catalogue model "model"; the file names it by its code.
FIELD_COLUMNS = MappingProxyType({"model": "model_code"})


def vehicle_model(ctx: ImportContext, row: RowReader) -> VehicleModel | None:
    """The catalogue model named by the row's model code, looked up once per job."""
    code = row.text("model_code")
    if not code:
        return None
    found = ctx.cached(("vehicle_model", code), lambda: VehicleModel.objects.filter(
        tenant_id=ctx.scope.tenant_id, code=code).first())
    if found is None:
        row.error("model_code", _("No vehicle model with this code."))
    return found


def staff(ctx: ImportContext, row: RowReader, column: str, role: str):
    """The consultant or advisor the row names (by staff code or name), looked up once per job; blank → None."""
    text = row.text(column).strip()
    if not text:
        return None

    def find():
        try:
            return staff_match(tenant_id=ctx.scope.tenant_id, dealer_id=ctx.dealer_id, role=role, text=text)
        except ValidationError as exc:
            return exc

    found = ctx.cached(("staff", role, text), find)
    if isinstance(found, ValidationError):
        for message in found.messages:
            row.error(column, message)
        return None
    return found


def staff_label(user) -> str:
    """How an export names a consultant or advisor: the staff code when there is one, so it imports back."""
    if user is None:
        return ""
    return user.staff_code or user.full_name or user.username


def _vehicle(ctx: ImportContext, row: RowReader, vin_required: bool) -> dict:
    """VIN, plate, model and colour, normalised so each problem is reported on its own column."""
    return {
        "vin": row.normalized("vin", normalize_vin, required=vin_required),
        "plate": row.normalized("plate", normalize_plate),
        "model": vehicle_model(ctx, row),
        "colour": row.text("colour"),
    }


def import_vehicle(ctx: ImportContext, row: RowReader) -> bool:
    """Create or update a vehicle by VIN; True when created."""
    data = _vehicle(ctx, row, vin_required=True)
    data.update(delivered_on=row.date("delivered_on"), mileage_km=row.integer("mileage_km"))
    in_stock_since = row.date("in_stock_since")
    external_id = row.text("external_id")
    row.check()
    vin = data.pop("vin")
    vehicle, created = vehicle_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, vin=vin, data=given(data),
                                      link_kind=LinkKind.ASSIGNED, external_id=external_id)
    if in_stock_since and ctx.dealer_id:
        vehicle_stock_receive(vehicle_id=vehicle.pk, dealer_id=ctx.dealer_id, since=in_stock_since)
    return created


def import_sale(ctx: ImportContext, row: RowReader) -> bool:
    """Record a delivery; a sale without an order number is the same sale as one of that VIN on that day."""
    external_id = row.text("external_id")
    delivered_on = row.date("delivered_on", required=True)
    kind = row.choice("kind", choice_map(SaleKind, tuple(SALE_KIND_ALIASES.items())), default=SaleKind.NEW)
    price = row.decimal("price")
    consultant = staff(ctx, row, "consultant", Role.SALES_CONSULTANT)
    customer = given(person(row))
    vehicle = given(_vehicle(ctx, row, vin_required=True))
    row.check()
    same = Sale.objects.filter(dealer_id=ctx.dealer_id)
    if external_id:
        same = same.filter(external_id=external_id)
    else:
        same = same.filter(vehicle__tenant_id=ctx.scope.tenant_id, vehicle__vin=vehicle["vin"], delivered_on=delivered_on)
    existing = same.only("pk", "external_id", "consultant_id").first()
    if existing is not None and not existing.external_id:
        # Recorded before without an order number: refresh the person, the car and the consultant, never a second sale.
        customer_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, data=customer, link_kind=LinkKind.SOLD)
        vehicle_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, vin=vehicle.pop("vin"), data=vehicle,
                       link_kind=LinkKind.SOLD)
        if consultant is not None and existing.consultant_id != consultant.pk:
            Sale.objects.filter(pk=existing.pk).update(consultant=consultant)
        return False
    if consultant is None and existing is not None:
        consultant = existing.consultant  # a blank cell keeps the consultant already recorded
    _sale, created = sale_record(scope=ctx.scope, dealer_id=ctx.dealer_id, customer_data=customer, vehicle_data=vehicle,
                delivered_on=delivered_on, price=price, kind=kind, consultant=consultant,
                external_id=existing.external_id if existing is not None else external_id)
    return created


def import_service_visit(ctx: ImportContext, row: RowReader) -> bool:
    """Record a repair order by VIN or plate; the same repair order number again updates it."""
    external_id = row.text("external_id", required=True)
    kind = row.choice("kind", choice_map(VisitKind, tuple(VISIT_KIND_ALIASES.items())), required=True)
    opened_at = row.datetime("opened_at", required=True)
    closed_at = row.datetime("closed_at")
    mileage_km = row.integer("mileage_km")
    replaced_text = row.text("odometer_replaced").strip().lower()
    if replaced_text not in YES | NO:
        row.error("odometer_replaced", _("Enter 是 (yes) or leave it empty."))
    amount = row.decimal("amount")
    advisor = staff(ctx, row, "advisor", Role.SERVICE_ADVISOR)
    vehicle = _vehicle(ctx, row, vin_required=False)
    if not vehicle["vin"] and not vehicle["plate"] and not {"vin", "plate"} & row.errors.keys():
        row.error("vin", _("Enter the VIN or the plate number."))
    customer = given({"name": row.text("name"), "mobile": row.text("mobile")})
    row.check()
    existing = ServiceVisit.objects.filter(dealer_id=ctx.dealer_id, external_id=external_id).only(
        "pk", "advisor_id").first()
    if advisor is None and existing is not None:
        advisor = existing.advisor  # a blank cell keeps the advisor already recorded
    _visit, created = service_visit_record(
        scope=ctx.scope, dealer_id=ctx.dealer_id, kind=kind, opened_at=opened_at, closed_at=closed_at,
        vin=vehicle.pop("vin"), plate=vehicle.pop("plate"), vehicle_data=given(vehicle),
        customer_data=customer or None, advisor=advisor, mileage_km=mileage_km, amount=amount or 0,
        external_id=external_id, odometer_replaced=replaced_text in YES,
        # A DMS export often has no owner columns: an empty owner in a file means "not known" (said by the file).
        owner_unknown=True,
    )
    return created


def _model_code(vehicle: Vehicle) -> str:
    return vehicle.model.code if vehicle.model_id else ""


def _vehicles(scope: Scope) -> QuerySet:
    return Vehicle.objects.scoped(scope).select_related("model", "owner", "selling_dealer").annotate(
        owner_visible=customer_in_scope(scope, "owner_id"))


def _sales(scope: Scope) -> QuerySet:
    return Sale.objects.scoped(scope).select_related("dealer", "vehicle__model", "customer", "consultant").annotate(
        customer_visible=customer_in_scope(scope, "customer_id"))


def _visits(scope: Scope) -> QuerySet:
    return ServiceVisit.objects.scoped(scope).select_related("dealer", "vehicle__model", "customer", "advisor").annotate(
        customer_visible=customer_in_scope(scope, "customer_id"))


VEHICLES = ImportKind(
    key="vehicles",
    label=gettext_lazy("Vehicles"),
    columns=(
        replace(VIN, required=True), PLATE, MODEL_CODE, COLOUR, DELIVERED_ON, MILEAGE, IN_STOCK_SINCE,
        Column("external_id", "车辆编号", "vehicle number", aliases=("外部编号", "external id"),
               help=gettext_lazy("Your dealer system's own number for the vehicle.")),
    ),
    export_only=(MODEL_NAME, SELLING_DEALER, OWNER_NAME, MOBILE, UPDATED),
    permission=VEHICLE_EDIT,
    export_permission=VEHICLE_EXPORT,
    handler=import_vehicle,
    field_columns=FIELD_COLUMNS,
    export=ExportSpec(
        columns=("vin", "plate", "model_code", "model_name", "colour", "delivered_on", "mileage_km", "selling_dealer",
                 "owner_name", "mobile", "updated_at"),
        queryset=_vehicles,
        dealer_filter=lambda dealer: {"pk__in": VehicleDealer.objects.filter(dealer=dealer).values("vehicle_id")},
        date_field="delivered_on",
        row=lambda scope, v: [v.vin, v.plate, _model_code(v), str(v.model) if v.model_id else "", v.colour,
                              v.delivered_on, v.mileage_km, v.selling_dealer.code if v.selling_dealer_id else "",
                              v.owner.name if v.owner_id and v.owner_visible else "",
                              mobile_shown(scope, v.owner, v.owner_visible), v.updated_at],
    ),
)

SALES = ImportKind(
    key="sales",
    label=gettext_lazy("Sales"),
    columns=(
        Column("external_id", "销售单号", "order number", aliases=("订单号", "合同号", "external id"),
               help=gettext_lazy("Your dealer system's order number; a sale without one is matched by VIN and date.")),
        replace(DELIVERED_ON, required=True),
        Column("kind", "类型", "type", aliases=("销售类型",),
               help=gettext_lazy("New, used or trade-in; 新车, 二手车 and 置换 are accepted too.")),
        SALE_PRICE, CONSULTANT,
        replace(NAME, required=True), MOBILE, ID_NUMBER,
        replace(VIN, required=True), PLATE, MODEL_CODE, COLOUR,
    ),
    one_of=(("mobile", "id_number"),),
    export_only=(DEALER_CODE, UPDATED),
    permission=SALE_RECORD,
    export_permission=VEHICLE_EXPORT,
    handler=import_sale,
    field_columns=FIELD_COLUMNS,
    export=ExportSpec(
        columns=("dealer_code", "external_id", "delivered_on", "kind", "price", "consultant", "name", "mobile", "vin",
                 "plate", "model_code", "updated_at"),
        queryset=_sales,
        dealer_filter=lambda dealer: {"dealer": dealer},
        date_field="delivered_on",
        row=lambda scope, s: [s.dealer.code, s.external_id, s.delivered_on, s.get_kind_display(), s.price,
                              staff_label(s.consultant), s.customer.name if s.customer_visible else "",
                              mobile_shown(scope, s.customer, s.customer_visible), s.vehicle.vin, s.vehicle.plate,
                              _model_code(s.vehicle), s.updated_at],
    ),
)

SERVICE_VISITS = ImportKind(
    key="service_visits",
    label=gettext_lazy("Service visits"),
    columns=(
        Column("external_id", "工单号", "repair order number", required=True,
               aliases=("维修工单号", "ro number", "order number", "external id"),
               help=gettext_lazy("Importing the same repair order again updates it.")),
        Column("kind", "类型", "type", required=True, aliases=("工单类型", "维修类型"),
               help=gettext_lazy("First maintenance, maintenance, repair, warranty, accident or recall; "
                                 "首保, 保养, 维修, 保修, 事故 and 召回 are accepted too.")),
        Column("opened_at", "进厂时间", "opened at", required=True, aliases=("进厂日期", "开单时间", "opened"),
               help=gettext_lazy("Date and time such as 2026-03-01 09:30.")),
        Column("closed_at", "结算时间", "closed at", aliases=("结算日期", "完工时间", "closed")),
        MILEAGE, ODOMETER_REPLACED, AMOUNT, ADVISOR, VIN, PLATE, MODEL_CODE, NAME, MOBILE,
    ),
    one_of=(("vin", "plate"),),
    export_only=(DEALER_CODE, UPDATED),
    permission=VISIT_RECORD,
    export_permission=VEHICLE_EXPORT,
    handler=import_service_visit,
    field_columns=FIELD_COLUMNS,
    export=ExportSpec(
        columns=("dealer_code", "external_id", "kind", "opened_at", "closed_at", "mileage_km", "amount", "advisor",
                 "vin", "plate", "model_code", "name", "mobile", "updated_at"),
        queryset=_visits,
        dealer_filter=lambda dealer: {"dealer": dealer},
        date_field="opened_at__date",
        row=lambda scope, v: [v.dealer.code, v.external_id, v.get_kind_display(), v.opened_at, v.closed_at,
                              v.mileage_km, v.amount, staff_label(v.advisor), v.vehicle.vin, v.vehicle.plate,
                              _model_code(v.vehicle), v.customer.name if v.customer_id and v.customer_visible else "",
                              mobile_shown(scope, v.customer, v.customer_visible), v.updated_at],
    ),
)

IMPORT_KINDS = (VEHICLES, SALES, SERVICE_VISITS)
