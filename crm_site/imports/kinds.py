"""What can be imported and exported: each kind's columns (Chinese and English headers) and who may use it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from crm_site.scope import Scope
from dealers.choices import Role

CUSTOMERS, VEHICLES, SALES, SERVICE_VISITS = "customers", "vehicles", "sales", "service_visits"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    """One column of a file; the Chinese and English headers are both accepted, whatever the page language."""

    key: str
    zh: str
    en: str
    required: bool = False
    help: str = ""
    aliases: tuple[str, ...] = ()

    def label(self) -> str:
        """The header in the active language (the file format is bilingual, so this is not a catalogue lookup)."""
        return self.zh if (get_language() or "zh").startswith("zh") else self.en

    def names(self) -> set[str]:
        """Every header spelling that means this column, normalised."""
        return {normalize_header(n) for n in (self.zh, self.en, self.key, *self.aliases)}


def normalize_header(value) -> str:
    """Fold width and case, drop spaces, underscores, '*' marks and a unit in brackets: "手机号 *" → "手机号"."""
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    return re.sub(r"[\s_\-*:.]", "", text)


# The same person or car has the same header in every kind, so an export can be edited and imported again.
NAME = Column("name", "姓名", "name", aliases=("客户姓名", "客户名称", "customer name", "full name"),
              help=_("Needed for a new customer; an existing one is found by mobile or ID number."))
MOBILE = Column("mobile", "手机", "mobile", aliases=("手机号", "手机号码", "联系电话", "电话", "phone", "mobile phone"),
                help=_("11-digit mainland China mobile number."))
ID_NUMBER = Column("id_number", "身份证号", "ID number", aliases=("身份证", "身份证号码", "resident id"),
                   help=_("18-character resident ID number."))
VIN = Column("vin", "车架号", "VIN", aliases=("vin码", "车辆识别代号", "车辆识别号"),
             help=_("17 characters; the check digit is verified."))
PLATE = Column("plate", "车牌", "plate", aliases=("车牌号", "车牌号码", "plate number", "licence plate", "license plate"),
               help=_("For example 京A12345."))
MODEL_CODE = Column("model_code", "车型代码", "model code", aliases=("车型编码",),
                    help=_("A code of the vehicle catalogue."))
COLOUR = Column("colour", "颜色", "colour", aliases=("车身颜色", "color"))
DELIVERED_ON = Column("delivered_on", "交车日期", "delivery date", aliases=("交付日期", "delivered on"),
                      help=_("Date such as 2026-03-01."))
MILEAGE = Column("mileage_km", "里程", "mileage", aliases=("里程数", "公里数", "行驶里程"), help=_("Kilometres."))
AMOUNT = Column("amount", "金额", "amount", aliases=("结算金额", "工单金额"), help=_("Yuan."))
SALE_PRICE = Column("price", "金额", "amount", aliases=("价格", "成交价", "price"), help=_("Yuan."))

# Columns an export adds that an import accepts and ignores.
DEALER_CODE = Column("dealer_code", "经销商代码", "dealer code")
CUSTOMER_ID = Column("customer_id", "客户ID", "customer id")
MODEL_NAME = Column("model_name", "车型", "model")
OWNER_NAME = Column("owner_name", "车主", "owner")
SELLING_DEALER = Column("selling_dealer", "销售经销商", "selling dealer")
CREATED = Column("created_at", "创建时间", "created")
UPDATED = Column("updated_at", "更新时间", "updated")


@dataclass(frozen=True)
class Kind:
    """One kind of record that can be imported and exported."""

    key: str
    label: str
    columns: tuple[Column, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    export_only: tuple[Column, ...] = ()

    def column(self, key: str) -> Column | None:
        """The column with this key, imported or export-only."""
        return next((c for c in (*self.columns, *self.export_only) if c.key == key), None)

    def match_headers(self, header: list) -> dict[int, str]:
        """Map the file's header cells to column keys; raise ValidationError on unknown, repeated or missing ones."""
        known = {name: column.key for column in self.columns for name in column.names()}
        ignored = {name for column in self.export_only for name in column.names()}
        mapping: dict[int, str] = {}
        unknown, repeated = [], []
        for index, cell in enumerate(header):
            name = normalize_header(cell)
            if not name or (name in ignored and name not in known):
                continue
            key = known.get(name)
            if key is None:
                unknown.append(str(cell).strip())
            elif key in mapping.values():
                repeated.append(str(cell).strip())
            else:
                mapping[index] = key
        errors = []
        if unknown:
            errors.append(ngettext("Unknown column: %(names)s.", "Unknown columns: %(names)s.", len(unknown))
                          % {"names": ", ".join(unknown)})
        if repeated:
            errors.append(gettext("Column given twice: %(names)s.") % {"names": ", ".join(repeated)})
        present = set(mapping.values())
        missing = [c.label() for c in self.columns if c.required and c.key not in present]
        if missing:
            errors.append(ngettext("Missing column: %(names)s.", "Missing columns: %(names)s.", len(missing))
                          % {"names": ", ".join(missing)})
        for group in self.one_of:
            if not present & set(group):
                names = " / ".join(self.column(key).label() for key in group)
                errors.append(gettext("The file needs at least one of these columns: %(names)s.") % {"names": names})
        if errors:
            raise ValidationError(errors)
        return mapping


KINDS: dict[str, Kind] = {
    CUSTOMERS: Kind(
        CUSTOMERS, _("Customers"),
        (
            NAME, MOBILE, ID_NUMBER,
            Column("gender", "性别", "gender", help=_("Male or female; 男 and 女 are accepted too.")),
            Column("birth_date", "出生日期", "birth date", aliases=("生日",)),
            Column("province", "省份", "province", aliases=("省",)),
            Column("city", "城市", "city", aliases=("市",)),
            Column("address", "地址", "address", aliases=("联系地址",)),
            Column("company_name", "公司", "company", aliases=("公司名称", "单位")),
            Column("external_id", "客户编号", "customer number", aliases=("外部编号", "external id"),
                   help=_("Your dealer system's own number for the customer.")),
            Column("notes", "备注", "notes"),
        ),
        one_of=(("mobile", "id_number"),),
        export_only=(CUSTOMER_ID, CREATED, UPDATED),
    ),
    VEHICLES: Kind(
        VEHICLES, _("Vehicles"),
        (
            replace(VIN, required=True), PLATE, MODEL_CODE, COLOUR, DELIVERED_ON, MILEAGE,
            Column("external_id", "车辆编号", "vehicle number", aliases=("外部编号", "external id"),
                   help=_("Your dealer system's own number for the vehicle.")),
        ),
        export_only=(MODEL_NAME, SELLING_DEALER, OWNER_NAME, MOBILE, UPDATED),
    ),
    SALES: Kind(
        SALES, _("Sales"),
        (
            Column("external_id", "销售单号", "order number", aliases=("订单号", "合同号", "external id"),
                   help=_("Your dealer system's order number; a sale without one is matched by VIN and date.")),
            replace(DELIVERED_ON, required=True),
            Column("kind", "类型", "type", aliases=("销售类型",),
                   help=_("New, used or trade-in; 新车, 二手车 and 置换 are accepted too.")),
            SALE_PRICE,
            replace(NAME, required=True), MOBILE, ID_NUMBER,
            replace(VIN, required=True), PLATE, MODEL_CODE, COLOUR,
        ),
        one_of=(("mobile", "id_number"),),
        export_only=(DEALER_CODE, UPDATED),
    ),
    SERVICE_VISITS: Kind(
        SERVICE_VISITS, _("Service visits"),
        (
            Column("external_id", "工单号", "repair order number", required=True,
                   aliases=("维修工单号", "ro number", "order number", "external id"),
                   help=_("Importing the same repair order again updates it.")),
            Column("kind", "类型", "type", required=True, aliases=("工单类型", "维修类型"),
                   help=_("First maintenance, maintenance, repair, warranty, accident or recall; "
                          "首保, 保养, 维修, 保修, 事故 and 召回 are accepted too.")),
            Column("opened_at", "进厂时间", "opened at", required=True, aliases=("进厂日期", "开单时间", "opened"),
                   help=_("Date and time such as 2026-03-01 09:30.")),
            Column("closed_at", "结算时间", "closed at", aliases=("结算日期", "完工时间", "closed")),
            MILEAGE, AMOUNT, VIN, PLATE, MODEL_CODE, NAME, MOBILE,
        ),
        one_of=(("vin", "plate"),),
        export_only=(DEALER_CODE, UPDATED),
    ),
}

# Who may import which kinds (DESIGN §2: what each dealer role may change).
IMPORT_KINDS: dict[str, tuple[str, ...]] = {
    Role.OEM_ADMIN: tuple(KINDS),
    Role.DEALER_MANAGER: tuple(KINDS),
    Role.SALES_CONSULTANT: (CUSTOMERS, SALES),
    Role.SERVICE_ADVISOR: (CUSTOMERS, VEHICLES, SERVICE_VISITS),
}
IMPORT_ROLES = frozenset(IMPORT_KINDS)
# Exports are bulk reads of personal data: HQ, regions and dealer managers only.
EXPORT_ROLES = frozenset({Role.OEM_ADMIN, Role.OEM_ANALYST, Role.REGION_MANAGER, Role.DEALER_MANAGER})


def import_kinds(scope: Scope | None) -> tuple[str, ...]:
    """The kinds this scope may import; API clients use the API instead."""
    if scope is None or scope.is_api_client:
        return ()
    return IMPORT_KINDS.get(scope.role, ())


def may_export(scope: Scope | None) -> bool:
    """Whether this scope may download exports."""
    return scope is not None and not scope.is_api_client and scope.role in EXPORT_ROLES
