"""Set-based upsert of many customers at one dealer: what `customer_upsert` does for one, a chunk at a time.

Each item is checked and matched in Python against the chunk's customers, read in two queries (live customers of
the tenant by mobile, ID-number hash or this dealer's external id, with their link to the dealer; and the owners
of the external ids). Items are applied in order, as successive `customer_upsert` calls would be: a person named
twice in one chunk is created once and then updated, a blank cell never erases a known value, two different
customers matched by one item are refused. Then new customers are inserted in one statement, changed ones
updated in one `UPDATE … FROM`, the dealer links inserted and changed in one statement each, and one audit row
records the chunk. A concurrent writer can still make a statement hit a unique constraint: the IntegrityError
then rolls the whole chunk back, and the caller retries it item by item through `customer_upsert`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from crm_site import crypto
from crm_site.models import audit
from crm_site.scope import Scope

from . import choices
from .models import Customer, CustomerDealer
from .services import CUSTOMER_FIELDS, normalize_customer_input

# Every column a new customer is inserted with, besides id, tenant and the timestamps.
_INSERTED = tuple(f for f in Customer._meta.concrete_fields
                  if f.attname not in {"id", "tenant_id", "created_at", "updated_at"})
# The columns an upsert may change on a known customer.
_UPDATED = tuple(dict.fromkeys(("name", "mobile", "id_number_hash", "id_number_encrypted", *CUSTOMER_FIELDS)))
_FIELDS = {f.attname: f for f in Customer._meta.concrete_fields}
TWO_CUSTOMERS = _("This mobile number and ID number belong to two different customers: merge them first.")
EXTERNAL_ID_TAKEN = _("Another customer already has this external id at this dealer.")


@dataclass
class BulkResult:
    """One item's outcome: the customer written and whether this item created it, or the item's errors."""

    customer_id: int | None = None
    created: bool = False
    error: ValidationError | None = None


@dataclass(eq=False)
class _Known:
    """A customer as the chunk sees it: the values it will have, and what is stored (None for a new one)."""

    pk: int | None
    values: dict
    stored: dict | None = None
    link_id: int | None = None  # this dealer's link, if stored
    linked: bool = False  # a link to this dealer exists or will be created
    link_kind: str = ""
    link_external_id: str = ""
    stored_external_id: str = ""


def _json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _records(columns: tuple[str, ...], rows: list[dict]) -> tuple[str, str]:
    """The column list with types for json_to_recordset, and the rows as one JSON parameter (one round trip)."""
    typed = ", ".join(f"{c} {_column_type(c)}" for c in columns)
    return typed, json.dumps(rows, default=_json_value, ensure_ascii=False)


_OTHER_TYPES = {"n": "integer", "customer_id": "bigint", "link_id": "bigint", "external_id": "varchar"}


def _column_type(column: str) -> str:
    """The SQL type of a batch column: the customer column's own, or one of the link's."""
    return _OTHER_TYPES.get(column) or _FIELDS[column].db_type(connection)


class CustomerChunk:
    """One chunk of customer items for one dealer, matched and written set-based."""

    def __init__(self, *, scope: Scope, dealer_id: int, link_kind: str):
        self.scope, self.dealer_id, self.link_kind = scope, dealer_id, link_kind
        self.by_mobile: dict[str, _Known] = {}
        self.by_hash: dict[str, _Known] = {}
        # External id at this dealer → its customer (an int: a merged-away customer, never matched but still holding it).
        self.by_external: dict[str, _Known | int] = {}
        self.known: list[_Known] = []

    # --- reading -------------------------------------------------------------------------------------------

    def load(self, keys: list[tuple[str, str, str]]) -> None:
        """The chunk's customers and this dealer's external ids, in two queries."""
        mobiles = sorted({m for m, _h, _e in keys if m})
        hashes = sorted({h for _m, h, _e in keys if h})
        externals = sorted({e for _m, _h, e in keys if e})
        if not (mobiles or hashes or externals):
            return
        links = CustomerDealer.objects.filter(dealer_id=self.dealer_id)
        condition = Q(pk__in=[])
        if mobiles:
            condition |= Q(mobile__in=mobiles) & ~Q(mobile="")  # so the partial unique index serves
        if hashes:
            condition |= Q(id_number_hash__in=hashes) & ~Q(id_number_hash="")
        if externals:
            condition |= Q(pk__in=links.filter(external_id__in=externals).values("customer_id"))
        own_link = links.filter(customer_id=OuterRef("pk"))
        rows = Customer.objects.filter(condition, tenant_id=self.scope.tenant_id, merged_into__isnull=True).annotate(
            link_pk=Subquery(own_link.values("pk")[:1]), link_external=Subquery(own_link.values("external_id")[:1]),
        ).values("pk", "link_pk", "link_external", *(f.attname for f in _INSERTED))
        by_pk = {}
        for row in rows:
            pk, link_pk, link_external = row.pop("pk"), row.pop("link_pk"), row.pop("link_external")
            known = _Known(pk=pk, values=row, stored=dict(row), link_id=link_pk, linked=link_pk is not None,
                           link_external_id=link_external or "", stored_external_id=link_external or "")
            self.known.append(known)
            by_pk[pk] = known
            if row["mobile"]:
                self.by_mobile[row["mobile"]] = known
            if row["id_number_hash"]:
                self.by_hash[row["id_number_hash"]] = known
        if externals:
            for external_id, customer_id in links.filter(external_id__in=externals).values_list(
                    "external_id", "customer_id"):
                self.by_external[external_id] = by_pk.get(customer_id, customer_id)

    # --- applying items in order ---------------------------------------------------------------------------

    def apply(self, given, id_hash: str, external_id: str) -> tuple[_Known, bool]:
        """Match one item and apply it to the chunk's state (nothing is changed when it raises ValidationError)."""
        matches: dict[int, _Known] = {}
        for candidate in (self.by_external.get(external_id) if external_id else None,
                          self.by_mobile.get(given.mobile) if given.mobile else None,
                          self.by_hash.get(id_hash) if id_hash else None):
            if isinstance(candidate, _Known):
                matches[id(candidate)] = candidate
        if len(matches) > 1:
            raise ValidationError({"mobile": [TWO_CUSTOMERS]})
        known = next(iter(matches.values()), None)
        created = known is None
        if created:
            if not given.name:
                raise ValidationError({"name": [_("Enter the customer's name.")]})
            values = {f.attname: f.get_default() for f in _INSERTED}
        else:
            values = dict(known.values)
        values.update(self._cleaned(given, values))
        if id_hash and id_hash != values["id_number_hash"]:
            values["id_number_hash"], values["id_number_encrypted"] = id_hash, crypto.encrypt(given.id_number)
        if external_id and not (known is not None and known.linked and known.link_external_id == external_id):
            holder = self.by_external.get(external_id)
            if holder is not None and holder is not known:
                raise ValidationError({"external_id": [EXTERNAL_ID_TAKEN]})
        if created:
            known = _Known(pk=None, values={})
            self.known.append(known)
        self._index(known, values)
        if not known.linked:
            known.linked, known.link_kind, known.link_external_id = True, self.link_kind, external_id
        elif external_id and known.link_external_id != external_id:
            if self.by_external.get(known.link_external_id) is known:
                del self.by_external[known.link_external_id]
            known.link_external_id = external_id
        if external_id:
            self.by_external[external_id] = known
        return known, created

    def _cleaned(self, given, values: dict) -> dict:
        """The values the item gives, checked as full_clean would check them; blank values are not given."""
        changes = {"name": given.name} if given.name else {}
        if given.mobile:
            changes["mobile"] = given.mobile
        errors: dict[str, list] = {}
        for name, value in (given.fields or {}).items():
            if value in (None, ""):
                continue  # a blank cell never erases what is known
            try:
                changes[name] = _FIELDS[name].clean(value, None)
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)
        return changes

    def _index(self, known: _Known, values: dict) -> None:
        """Give the customer its new values and keep the mobile and ID-number indexes in step."""
        for key, index in (("mobile", self.by_mobile), ("id_number_hash", self.by_hash)):
            old, new = known.values.get(key, ""), values[key]
            if old != new and old and index.get(old) is known:
                del index[old]
            if new:
                index[new] = known
        known.values = values

    # --- writing -------------------------------------------------------------------------------------------

    def write(self) -> None:
        """Changed customers, new customers, then the dealer links, one statement each; one audit row."""
        changed = [k for k in self.known if k.pk is not None
                   and (k.values != k.stored or k.link_id is None and k.linked)]
        new = [k for k in self.known if k.pk is None]
        # Known customers first: one may give up a mobile that a new customer of the same chunk then takes.
        if changed:
            self._update(changed)
        if new:
            self._insert(new)
        moved = [k for k in self.known if k.link_id is not None and k.link_external_id != k.stored_external_id]
        if moved:
            self._move_external_ids(moved)
        links = [k for k in self.known if k.link_id is None and k.linked]
        if links:
            self._insert_links(links)
        if changed or new or moved or links:
            audit(self.scope, "customer.bulk_upsert", None, dealer_id=self.dealer_id,
                  created=[k.pk for k in new], updated=[k.pk for k in changed])

    def _update(self, rows: list[_Known]) -> None:
        typed, batch = _records(("id", *_UPDATED), [{"id": k.pk, **{c: k.values[c] for c in _UPDATED}} for k in rows])
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE customers_customer AS c SET {', '.join(f'{c} = t.{c}' for c in _UPDATED)}, "  # noqa: S608
                f"updated_at = now() FROM json_to_recordset(%s::json) AS t({typed}) "
                "WHERE c.id = t.id AND c.tenant_id = %s",
                [batch, self.scope.tenant_id],
            )

    def _insert(self, rows: list[_Known]) -> None:
        columns = tuple(f.attname for f in _INSERTED)
        typed, batch = _records((*columns, "n"), [{**k.values, "n": n} for n, k in enumerate(rows)])
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO customers_customer (tenant_id, {', '.join(columns)}, created_at, updated_at) "  # noqa: S608
                f"SELECT %s, {', '.join('t.' + c for c in columns)}, now(), now() "
                f"FROM json_to_recordset(%s::json) AS t({typed}) ORDER BY t.n RETURNING id",
                [self.scope.tenant_id, batch],
            )
            # One statement takes its ids from the sequence in the order it inserts, so sorted ids follow t.n.
            ids = sorted(pk for (pk,) in cursor.fetchall())
        if len(ids) != len(rows):
            raise IntegrityError("customers were not all inserted")
        for known, pk in zip(rows, ids, strict=True):
            known.pk = pk

    def _move_external_ids(self, rows: list[_Known]) -> None:
        typed, batch = _records(("link_id", "external_id"),
                                [{"link_id": k.link_id, "external_id": k.link_external_id} for k in rows])
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE customers_customerdealer AS l SET external_id = t.external_id, updated_at = now() "  # noqa: S608
                f"FROM json_to_recordset(%s::json) AS t({typed}) WHERE l.id = t.link_id",
                [batch],
            )

    def _insert_links(self, rows: list[_Known]) -> None:
        typed, batch = _records(("customer_id", "kind", "external_id"), [
            {"customer_id": k.pk, "kind": k.link_kind, "external_id": k.link_external_id} for k in rows])
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customers_customerdealer (tenant_id, customer_id, dealer_id, kind, external_id, "  # noqa: S608
                f"created_at, updated_at) SELECT %s, t.customer_id, %s, t.kind, t.external_id, now(), now() "
                f"FROM json_to_recordset(%s::json) AS t({typed})",
                [self.scope.tenant_id, self.dealer_id, batch],
            )


@transaction.atomic
def customers_bulk_upsert(*, scope: Scope, dealer_id: int, items: list[dict],
                          link_kind: str = choices.LinkKind.ASSIGNED) -> list[BulkResult]:
    """Upsert customers at one dealer, one result per item in order; each item is `customer_upsert`'s `data`
    plus an optional "external_id" (the dealer system's number for the customer).

    Raises IntegrityError (after which the transaction must be rolled back) only when a concurrent writer took a
    mobile, ID number or external id meanwhile.
    """
    chunk = CustomerChunk(scope=scope, dealer_id=dealer_id, link_kind=link_kind)
    prepared: list = []
    for item in items:
        try:
            given = normalize_customer_input(item)
        except ValidationError as exc:
            prepared.append(exc)
            continue
        external_id = str(item.get("external_id") or "")
        prepared.append((given, crypto.lookup_hash(given.id_number) if given.id_number else "", external_id))
    chunk.load([(p[0].mobile, p[1], p[2]) for p in prepared if not isinstance(p, ValidationError)])
    from .data_subject import ERASED_MESSAGE, erased_mobiles

    erased = erased_mobiles(scope.tenant_id, [p[0].mobile for p in prepared if not isinstance(p, ValidationError)])
    outcomes: list = []
    for entry in prepared:
        if isinstance(entry, ValidationError):
            outcomes.append(entry)
            continue
        given, id_hash, external_id = entry
        if given.mobile in erased and chunk.by_mobile.get(given.mobile) is None:
            outcomes.append(ValidationError({"mobile": [ERASED_MESSAGE]}))  # a batch never re-creates them
            continue
        try:
            outcomes.append(chunk.apply(given, id_hash, external_id))
        except ValidationError as exc:
            outcomes.append(exc)
    chunk.write()
    return [BulkResult(error=outcome) if isinstance(outcome, ValidationError)
            else BulkResult(customer_id=outcome[0].pk, created=outcome[1]) for outcome in outcomes]
