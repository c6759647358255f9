"""The customers import kind: its columns (the person columns every kind shares), row handlers and export rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.imports.kinds import Column, ExportSpec, ImportContext, ImportKind
from crm_site.imports.values import RowReader, choice_map, given
from crm_site.scope import Scope
from crm_site.validators import national_mobile

from .access import CUSTOMER_EDIT, CUSTOMER_EXPORT
from .bulk import customers_bulk_upsert
from .choices import Gender, LinkKind
from .models import Customer, CustomerDealer
from .privacy import shown_mobile
from .services import customer_upsert

# The same person has the same headers in every kind, so an export can be edited and imported again.
NAME = Column("name", "姓名", "name", aliases=("客户姓名", "客户名称", "customer name", "full name"),
              help=gettext_lazy("Needed for a new customer; an existing one is found by mobile or ID number."))
MOBILE = Column("mobile", "手机", "mobile", aliases=("手机号", "手机号码", "联系电话", "电话", "phone", "mobile phone"),
                help=gettext_lazy("11-digit mainland China mobile number."))
ID_NUMBER = Column("id_number", "身份证号", "ID number", aliases=("身份证", "身份证号码", "resident id"),
                   help=gettext_lazy("18-character resident ID number."))
CREATED = Column("created_at", "创建时间", "created")
UPDATED = Column("updated_at", "更新时间", "updated")

GENDER_ALIASES = {"男": Gender.MALE, "m": Gender.MALE, "先生": Gender.MALE, "女": Gender.FEMALE, "f": Gender.FEMALE,
                  "女士": Gender.FEMALE, "未知": Gender.UNKNOWN}
TEXT_FIELDS = ("province", "city", "address", "company_name", "notes")


def person(row: RowReader) -> dict:
    """Name, mobile and ID number; one of mobile and ID number is needed to find the person again."""
    data = {"name": row.text("name"), "mobile": row.text("mobile"), "id_number": row.text("id_number")}
    if not data["mobile"] and not data["id_number"]:
        row.error("mobile", _("Enter a mobile number or an ID number, so the customer is found again next time."))
    return data


def mobile_shown(scope: Scope, customer: Customer | None, visible: bool = True) -> str:
    """The mobile as the scope may see it, in the 11-digit form people type (E.164 "+86…" looks like a formula)."""
    if customer is None or not visible:
        return ""
    return national_mobile(shown_mobile(scope, customer))


def customer_in_scope(scope: Scope, field: str) -> Exists:
    """Whether the related customer is itself visible, so an export never names a person the scope cannot see."""
    return Exists(Customer.objects.scoped(scope).filter(pk=OuterRef(field)))


def _customer_item(row: RowReader) -> dict:
    """A row as `customer_upsert` data (only the cells filled in) plus its external id; raises the row's errors."""
    data = person(row)
    data.update(
        gender=row.choice("gender", choice_map(Gender, tuple(GENDER_ALIASES.items()))),
        birth_date=row.date("birth_date"),
        **{key: row.text(key) for key in TEXT_FIELDS},
    )
    external_id = row.text("external_id")
    row.check()
    return {**given(data), "external_id": external_id}


def import_customer(ctx: ImportContext, row: RowReader) -> bool:
    """Create or update a customer, matched by external id, mobile or ID number; True when created."""
    item = _customer_item(row)
    external_id = item.pop("external_id")
    _customer, created = customer_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, data=item,
                                         link_kind=LinkKind.ASSIGNED, external_id=external_id)
    return created


def import_customers(ctx: ImportContext, rows: list[RowReader]) -> list:
    """A chunk of rows in one set-based upsert (customers.bulk); per row True, False or its ValidationError."""
    outcomes: list = [None] * len(rows)
    items, places = [], []
    for place, row in enumerate(rows):
        try:
            items.append(_customer_item(row))
            places.append(place)
        except ValidationError as exc:
            outcomes[place] = exc
    results = customers_bulk_upsert(scope=ctx.scope, dealer_id=ctx.dealer_id, items=items,
                                    link_kind=LinkKind.ASSIGNED) if items else []
    for place, result in zip(places, results, strict=True):
        outcomes[place] = result.error if result.error is not None else result.created
    return outcomes


def _customers(scope: Scope) -> QuerySet:
    return Customer.objects.scoped(scope).only(
        "name", "mobile", "gender", "province", "city", "company_name", "created_at", "updated_at")


CUSTOMERS = ImportKind(
    key="customers",
    label=gettext_lazy("Customers"),
    columns=(
        NAME, MOBILE, ID_NUMBER,
        Column("gender", "性别", "gender", help=gettext_lazy("Male or female; 男 and 女 are accepted too.")),
        Column("birth_date", "出生日期", "birth date", aliases=("生日",)),
        Column("province", "省份", "province", aliases=("省",)),
        Column("city", "城市", "city", aliases=("市",)),
        Column("address", "地址", "address", aliases=("联系地址",)),
        Column("company_name", "公司", "company", aliases=("公司名称", "单位")),
        Column("external_id", "客户编号", "customer number", aliases=("外部编号", "external id"),
               help=gettext_lazy("Your dealer system's own number for the customer.")),
        Column("notes", "备注", "notes"),
    ),
    one_of=(("mobile", "id_number"),),
    export_only=(Column("customer_id", "客户ID", "customer id"), CREATED, UPDATED),
    permission=CUSTOMER_EDIT,
    export_permission=CUSTOMER_EXPORT,
    handler=import_customer,
    chunk_handler=import_customers,
    export=ExportSpec(
        columns=("customer_id", "name", "mobile", "gender", "province", "city", "company_name", "created_at",
                 "updated_at"),
        queryset=_customers,
        dealer_filter=lambda dealer: {"pk__in": CustomerDealer.objects.filter(dealer=dealer).values("customer_id")},
        date_field="created_at__date",
        row=lambda scope, c: [c.pk, c.name, mobile_shown(scope, c), c.get_gender_display(), c.province, c.city,
                              c.company_name, c.created_at, c.updated_at],
    ),
)

IMPORT_KINDS = (CUSTOMERS,)
