"""Data-subject rights (DESIGN §7, PIPL): everything the tenant holds about one customer, and their erasure.

The export walks the customer's own rows and every app's registered merge participants (the same list a merge
moves), so a new app's rows are exported and cleaned without this module knowing it. An erasure anonymises the
person and keeps the records the aggregates are made of (visits, sales, scores, complaint counts), leaving a
tombstone of the mobile so the person is not re-created unasked.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site import crypto, history
from crm_site.models import AuditEvent, audit
from crm_site.registry import registry
from crm_site.scope import Scope

from .models import (
    ConsentRecord,
    ContactPoint,
    Customer,
    CustomerDealer,
    DataSubjectRequest,
    DoNotCallChange,
    ErasedIdentity,
)

# Free text other apps keep about a person (notes of calls, follow-ups, leads; a complaint's description): cleared
# by an erasure wherever a participant's model has such a field.
FREE_TEXT_FIELDS = ("notes", "description", "caller_name", "caller_number", "text", "resolution")
SKIPPED_FIELDS = {"id_number_encrypted", "id_number_hash"}


def _value(value):
    """A JSON-safe form of a field value."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return f"<{len(bytes(value))} bytes>"
    return value


def row_data(obj: models.Model) -> dict:
    """Every stored field of a row (foreign keys as ids), JSON-safe; encrypted columns left out."""
    return {field.attname: _value(getattr(obj, field.attname)) for field in obj._meta.concrete_fields
            if field.attname not in SKIPPED_FIELDS}


def customer_export(*, scope: Scope, customer: Customer, reason: str = "") -> dict:
    """Everything the tenant holds about the customer, by app and table; the request is recorded."""
    person = row_data(customer)
    person["id_number"] = customer.id_number if customer.id_number_encrypted else ""
    own = {
        "contact_points": ContactPoint.objects.filter(customer=customer),
        "consents": ConsentRecord.objects.filter(customer=customer),
        "do_not_call_changes": DoNotCallChange.objects.filter(customer=customer),
        "dealer_links": CustomerDealer.objects.filter(customer=customer),
    }
    data = {"customer": person, **{key: [row_data(r) for r in rows.order_by("pk")] for key, rows in own.items()}}
    for participant in registry["merge_participants"]:
        rows = participant.model._base_manager.filter(tenant_id=customer.tenant_id,
                                                      **{participant.field: customer}).order_by("pk")
        data[participant.key] = [row_data(row) for row in rows]
        for key, related in (participant.related(customer) if participant.related else {}).items():
            data[key] = [row_data(row) for row in related.order_by("pk")]
    data["change_history"] = history.customer_events(customer.tenant_id, customer.pk)
    # Who saw or handled the person: every audited action on the record (reveals, exports, erasure, consent changes).
    data["access_log"] = [
        {"at": _value(row.at), "action": row.action, "user": row.actor_user_id, "api_client": row.actor_api_client_id,
         "detail": row.detail}
        for row in AuditEvent.objects.filter(tenant_id=customer.tenant_id, object_type=Customer._meta.label_lower,
                                             object_id=str(customer.pk)).order_by("at", "pk")]
    counts = {key: len(rows) for key, rows in data.items() if isinstance(rows, list)}
    DataSubjectRequest.objects.create(tenant_id=customer.tenant_id, customer=customer,
                                      kind=DataSubjectRequest.Kind.EXPORT, requested_by_id=scope.user_id,
                                      reason=reason[:255], detail={"rows": counts})
    audit(scope, "customer.data_export", customer, rows=counts)
    return {"exported_at": timezone.now().isoformat(), "tenant": customer.tenant_id, "data": data}


@transaction.atomic
def customer_erase(*, scope: Scope, customer: Customer, reason: str) -> DataSubjectRequest:
    """Anonymise the person (name, contacts, ID, address, birth date, free text) and keep the aggregates."""
    from .services import customer_set_do_not_call

    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why (the person's request, its date and channel).")]})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.erased_at is not None:
        raise ValidationError(_("This customer was already erased."))
    if customer.mobile:
        ErasedIdentity.objects.create(tenant_id=customer.tenant_id, customer=customer,
                                      mobile_hash=crypto.lookup_hash(customer.mobile))
    customer_set_do_not_call(scope=scope, customer=customer, do_not_call=True, reason=_("Erased on request."))
    cleared = {"contact_points": ContactPoint.objects.filter(customer=customer).delete()[0]}
    for participant in registry["merge_participants"]:
        names = {f.name for f in participant.model._meta.concrete_fields}
        fields = [name for name in FREE_TEXT_FIELDS if name in names]
        if fields:
            cleared[participant.key] = participant.model._base_manager.filter(
                tenant_id=customer.tenant_id, **{participant.field: customer}).update(**dict.fromkeys(fields, ""))
        if participant.erase is not None:
            cleared.update(participant.erase(customer))
    customer.name = _("Erased customer %(id)s") % {"id": customer.pk}
    customer.mobile = customer.address = customer.company_name = customer.notes = ""
    customer.id_number_encrypted = customer.id_number_hash = ""
    customer.birth_date = None
    customer.erased_at = timezone.now()
    customer.save()
    cleared["change_history"] = history.erase_customer_history(customer.tenant_id, customer.pk)
    request = DataSubjectRequest.objects.create(
        tenant_id=customer.tenant_id, customer=customer, kind=DataSubjectRequest.Kind.ERASURE,
        requested_by_id=scope.user_id, reason=reason.strip()[:255], detail={"cleared": cleared})
    audit(scope, "customer.erase", customer, cleared=cleared)
    return request


def erased_mobile(tenant_id: int, mobile: str) -> bool:
    """Whether an erased person had this mobile (they are re-created only with their consent given again)."""
    return bool(mobile) and ErasedIdentity.objects.filter(tenant_id=tenant_id,
                                                          mobile_hash=crypto.lookup_hash(mobile)).exists()


def erased_mobiles(tenant_id: int, mobiles) -> set[str]:
    """Of these mobiles, those an erased person had (one query, for batches)."""
    by_hash = {crypto.lookup_hash(m): m for m in mobiles if m}
    if not by_hash:
        return set()
    found = ErasedIdentity.objects.filter(tenant_id=tenant_id, mobile_hash__in=list(by_hash)).values_list(
        "mobile_hash", flat=True)
    return {by_hash[h] for h in found}


ERASED_MESSAGE = _("This person asked to be erased: create them again only with their consent given again "
                   "(consent_again).")


def lift_tombstone(*, scope: Scope, tenant_id: int, mobile: str) -> None:
    """The person gave their consent again: their mobile may be used for a new record."""
    deleted, _rows = ErasedIdentity.objects.filter(tenant_id=tenant_id,
                                                   mobile_hash=crypto.lookup_hash(mobile)).delete()
    if deleted:
        audit(scope, "customer.tombstone_lifted", None, mobile_hash=crypto.lookup_hash(mobile)[:12])
