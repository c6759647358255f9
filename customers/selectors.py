"""Reads of the customer pages: the one-box search, walk-in look-ups, the lead board and likely duplicates."""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.registry import registry
from crm_site.scope import Scope
from crm_site.validators import normalize_mobile, normalize_plate, normalize_vin
from dealers.choices import DEALER_ROLES

from . import choices
from .leads import overdue_q
from .models import ContactPoint, Customer, CustomerDealer, Lead

# --- one-box search ---------------------------------------------------------------------------------


@dataclass
class SearchKey:
    """What a search box text means: a name, an exact mobile, VIN or plate (normalised), and a hint when it almost is one."""

    kind: str = ""
    value: str = ""
    hint: str = ""

    @property
    def is_exact(self) -> bool:
        return self.kind in {"mobile", "vin", "plate"}


_PHONE_LIKE = re.compile(r"\+?[\d\s\-()]{7,}")
_VIN_LIKE = re.compile(r"[A-Za-z0-9]{17}")


def search_key(text: str) -> SearchKey:
    """Classify a search text: digits are a mobile, 17 letters and digits a VIN, a plate a plate, anything else a name."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return SearchKey()
    compact = "".join(text.split())
    if _VIN_LIKE.fullmatch(compact) and any(c.isdigit() for c in compact):
        try:
            return SearchKey("vin", normalize_vin(compact))
        except ValidationError as exc:
            return SearchKey("none", text, exc.messages[0])
    if _PHONE_LIKE.fullmatch(text):
        try:
            return SearchKey("mobile", normalize_mobile(text))
        except ValidationError as exc:
            return SearchKey("none", text, exc.messages[0])
    try:
        return SearchKey("plate", normalize_plate(text))
    except ValidationError:
        pass
    return SearchKey("name", text)


def _key_filter(scope: Scope, key: SearchKey) -> Q:
    if key.kind == "mobile":
        mobiles = ContactPoint.objects.filter(kind=choices.ContactKind.MOBILE, value=key.value)
        return Q(mobile=key.value) | Q(pk__in=mobiles.values("customer_id"))
    if key.kind == "name":
        return Q(name__icontains=key.value)
    finders = [finder for finder in registry["customer_finders"] if key.kind in finder.kinds]
    if finders:
        return reduce(operator.or_, (finder.customers(scope, key.kind, key.value) for finder in finders))
    return Q(pk__in=[])


def customer_search(scope: Scope, key: SearchKey) -> QuerySet[Customer]:
    """Customers in the scope matching the key, with what the finders show of them and their dealer links prefetched."""
    if not key.kind:
        return Customer.objects.none()
    queryset = Customer.objects.scoped(scope).filter(_key_filter(scope, key)).distinct()
    if key.kind == "name":
        # Exact names first, then names starting with the text, then the rest.
        queryset = queryset.annotate(rank=Case(
            When(name=key.value, then=Value(0)), When(name__startswith=key.value, then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        )).order_by("rank", "name", "pk")
    else:
        queryset = queryset.order_by("-updated_at", "pk")
    shown = [finder.prefetch(scope) for finder in registry["customer_finders"] if finder.prefetch is not None]
    return queryset.prefetch_related(
        *shown,
        Prefetch("dealer_links", queryset=CustomerDealer.objects.scoped(scope).select_related("dealer")
                 .order_by("dealer__code")),
    )


@dataclass
class WalkIn:
    """A customer or vehicle of the tenant that another dealer serves, shown masked to serve a walk-in."""

    customer: Customer | None = None
    vehicle: object | None = None
    in_scope: bool = False


def customer_lookup(scope: Scope, mobile: str, limit: int = 5) -> list[WalkIn]:
    """The walk-in look-up by exact mobile (DESIGN §2): customers of the whole tenant, each marked in scope or not.

    The one definition used by the search page and the API's lookup; the answer is shown masked where not in scope.
    """
    customers = (Customer.objects.filter(tenant_id=scope.tenant_id, merged_into__isnull=True, mobile=mobile)
                 .annotate(in_scope=Exists(Customer.objects.scoped(scope).filter(pk=OuterRef("pk"))))
                 .order_by("pk"))
    return [WalkIn(customer=c, in_scope=c.in_scope) for c in customers[:limit]]


def walk_in_lookup(scope: Scope, key: SearchKey, limit: int = 5) -> list[WalkIn]:
    """Exact matches in the tenant that the dealer does not see yet (DESIGN §2: walk-ins); dealer staff only.

    A mobile is looked up here; VINs and plates by the finders other apps register (crm_site.plugins.CustomerFinder).
    """
    if scope.role not in DEALER_ROLES or not key.is_exact:
        return []
    if key.kind == "mobile":
        found = customer_lookup(scope, key.value, limit=limit + 1)
    else:
        found = [walk_in for finder in registry["customer_finders"] if key.kind in finder.kinds
                 for walk_in in finder.walk_ins(scope, key.kind, key.value, limit + 1)]
    return [walk_in for walk_in in found if not walk_in.in_scope][:limit]


def customer_pick(scope: Scope, text: str, limit: int = 8) -> list[Customer]:
    """A few customers in the scope for a picker next to a form field (name, mobile, VIN or plate)."""
    key = search_key(text)
    if key.kind in {"", "none"}:
        return []
    return list(Customer.objects.scoped(scope).filter(_key_filter(scope, key)).distinct().order_by("name", "pk")[:limit])


# --- lead board -------------------------------------------------------------------------------------

CARDS_PER_COLUMN = 50
CLOSED_SHOWN_FOR = timedelta(days=30)
BOARD_STAGES = [choices.LeadStage.NEW, choices.LeadStage.CONTACTED, choices.LeadStage.TEST_DRIVE,
                choices.LeadStage.NEGOTIATION, choices.LeadStage.WON, choices.LeadStage.LOST]


@dataclass
class BoardColumn:
    """One stage of the pipeline: its label, how many leads it holds and the first cards."""

    stage: str
    label: str
    count: int
    cards: list[Lead]

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)


def leads_for_board(scope: Scope, *, dealer_id: int | None = None, assigned_to_id: int | None = None,
                    source: str = "", overdue: bool = False, now=None) -> QuerySet[Lead]:
    """The scope's open leads and those won or lost in the last 30 days, filtered."""
    now = now or timezone.now()
    queryset = Lead.objects.scoped(scope).filter(
        Q(stage__in=choices.OPEN_LEAD_STAGES) | Q(stage_changed_at__gte=now - CLOSED_SHOWN_FOR)
    )
    if dealer_id:
        queryset = queryset.filter(dealer_id=dealer_id)
    if assigned_to_id:
        queryset = queryset.filter(assigned_to_id=assigned_to_id)
    if source:
        queryset = queryset.filter(source=source)
    if overdue:
        queryset = queryset.filter(overdue_q(now))
    return queryset


def lead_board(queryset: QuerySet[Lead], now=None) -> list[BoardColumn]:
    """Columns by stage with counts and up to 50 cards each, in two queries whatever the number of leads."""
    now = now or timezone.now()
    counts = dict(queryset.order_by().values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    ranked = queryset.annotate(
        rank=Window(RowNumber(), partition_by=[F("stage")],
                    order_by=[F("next_action_on").asc(nulls_last=True), F("created_at").desc(), F("id").desc()]),
        is_overdue=Case(When(overdue_q(now), then=Value(1)), default=Value(0), output_field=IntegerField()),
    ).filter(rank__lte=CARDS_PER_COLUMN).select_related("customer", "interested_model", "assigned_to", "referred_by",
                                                        "dealer")
    cards: dict[str, list[Lead]] = {stage: [] for stage in BOARD_STAGES}
    for lead in ranked.order_by("stage", "rank"):
        cards[lead.stage].append(lead)
    labels = dict(choices.LeadStage.choices)
    return [BoardColumn(stage, labels[stage], counts.get(stage, 0), cards[stage]) for stage in BOARD_STAGES]


OPEN_BOARD_STAGES = [stage for stage in BOARD_STAGES if stage in choices.OPEN_LEAD_STAGES]


@dataclass
class DealerPipeline:
    """One dealer's row of the HQ / region pipeline table: open leads per stage, recent outcomes, overdue."""

    dealer: object
    open_counts: dict[str, int]
    won: int = 0
    lost: int = 0
    overdue: int = 0

    @property
    def open_by_stage(self) -> list[int]:
        return [self.open_counts.get(stage, 0) for stage in OPEN_BOARD_STAGES]

    @property
    def open_total(self) -> int:
        return sum(self.open_counts.values())

    @property
    def conversion(self) -> float | None:
        """Won / (won + lost) over the leads closed in the last 30 days; None when none closed."""
        closed = self.won + self.lost
        return self.won / closed if closed else None

    @property
    def conversion_percent(self) -> float | None:
        return None if self.conversion is None else 100 * self.conversion


def lead_pipeline_by_dealer(queryset: QuerySet[Lead], dealers, now=None) -> tuple[list[DealerPipeline], DealerPipeline]:
    """Per dealer (every one given, with or without leads) and in total: the board's leads counted in one query."""
    now = now or timezone.now()
    since = now - CLOSED_SHOWN_FOR
    stage_counts = {f"open_{stage}": Count("id", filter=Q(stage=stage)) for stage in OPEN_BOARD_STAGES}
    rows = queryset.order_by().values("dealer_id").annotate(
        **stage_counts,
        won=Count("id", filter=Q(stage=choices.LeadStage.WON, stage_changed_at__gte=since)),
        lost=Count("id", filter=Q(stage=choices.LeadStage.LOST, stage_changed_at__gte=since)),
        overdue=Count("id", filter=overdue_q(now)),
    )
    by_dealer = {row["dealer_id"]: row for row in rows}
    lines = []
    for dealer in dealers:
        row = by_dealer.get(dealer.pk, {})
        lines.append(DealerPipeline(
            dealer=dealer, open_counts={stage: row.get(f"open_{stage}", 0) for stage in OPEN_BOARD_STAGES},
            won=row.get("won", 0), lost=row.get("lost", 0), overdue=row.get("overdue", 0),
        ))
    total = DealerPipeline(
        dealer=None, open_counts={stage: sum(line.open_counts[stage] for line in lines) for stage in OPEN_BOARD_STAGES},
        won=sum(line.won for line in lines), lost=sum(line.lost for line in lines),
        overdue=sum(line.overdue for line in lines),
    )
    return lines, total


# --- likely duplicates ------------------------------------------------------------------------------

DUPLICATE_RULES = {
    "name_birth_date": _("Same name and birth date"),
    "contact_is_mobile": _("A phone recorded for one is the other's mobile"),
    "name_city_mobile": _("Same name and city, mobiles alike (same first 3 and last 4 digits)"),
}

# Three explainable rules over the customers in scope (the CTE), unioned and grouped per pair (lower id first).
_DUPLICATES_SQL = """
WITH c AS (
    SELECT id, name, birth_date, city, mobile FROM customers_customer WHERE id IN ({scoped})
), pairs AS (
    SELECT a.id AS a_id, b.id AS b_id, 'name_birth_date' AS rule
      FROM c a JOIN c b ON a.name = b.name AND a.birth_date = b.birth_date AND a.id < b.id
    UNION ALL
    SELECT LEAST(a.id, b.id), GREATEST(a.id, b.id), 'contact_is_mobile'
      FROM c a
      JOIN customers_contactpoint p ON p.customer_id = a.id AND p.kind IN ('mobile', 'phone')
      JOIN c b ON b.mobile <> '' AND b.id <> a.id
               AND RIGHT(b.mobile, 11) = RIGHT(REGEXP_REPLACE(p.value, '[^0-9]', '', 'g'), 11)
    UNION ALL
    SELECT a.id, b.id, 'name_city_mobile'
      FROM c a JOIN c b ON a.name = b.name AND a.city = b.city AND a.city <> '' AND a.id < b.id
               AND a.mobile <> '' AND b.mobile <> ''
               AND LEFT(a.mobile, 6) = LEFT(b.mobile, 6) AND RIGHT(a.mobile, 4) = RIGHT(b.mobile, 4)
)
"""


def _duplicates_query(scope: Scope) -> tuple[str, list]:
    scoped_sql, params = Customer.objects.scoped(scope).values("id").query.sql_with_params()
    return _DUPLICATES_SQL.format(scoped=scoped_sql), list(params)


def duplicate_pair_count(scope: Scope) -> int:
    """How many pairs of customers in the scope look like the same person."""
    sql, params = _duplicates_query(scope)
    with connection.cursor() as cursor:
        # Only constant SQL and Django's own compiled scope query are joined; every value is a bound parameter.
        cursor.execute(sql + "SELECT COUNT(*) FROM (SELECT DISTINCT a_id, b_id FROM pairs) x", params)  # noqa: S608
        return cursor.fetchone()[0]


@dataclass
class DuplicatePair:
    """Two customers that look like the same person, and the rules that matched them."""

    first: Customer
    second: Customer
    rules: list[str]

    @property
    def reasons(self) -> list[str]:
        return [str(DUPLICATE_RULES[rule]) for rule in self.rules]


def duplicate_pairs(scope: Scope, offset: int = 0, limit: int = 25) -> list[DuplicatePair]:
    """One page of likely duplicate pairs in the scope, newest records first, with both customers loaded (2 queries)."""
    sql, params = _duplicates_query(scope)
    sql += ("SELECT a_id, b_id, ARRAY_AGG(DISTINCT rule ORDER BY rule) FROM pairs GROUP BY a_id, b_id "
            "ORDER BY b_id DESC, a_id DESC LIMIT %s OFFSET %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    ids = {pk for a_id, b_id, _rules in rows for pk in (a_id, b_id)}
    customers = Customer.objects.filter(tenant_id=scope.tenant_id).in_bulk(ids) if ids else {}
    return [DuplicatePair(customers[a_id], customers[b_id], list(rules)) for a_id, b_id, rules in rows
            if a_id in customers and b_id in customers]
