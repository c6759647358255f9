"""Writes of the unified customer record: match-or-create, dealer links, consent, do-not-call, reveal, merge."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site import crypto
from crm_site.models import audit
from crm_site.registry import registry
from crm_site.scope import Scope
from crm_site.validators import normalize_mobile, normalize_person_name, normalize_resident_id

from . import choices
from .models import ConsentRecord, ContactPoint, Customer, CustomerDealer, CustomerMerge, DoNotCallChange

# Fields a caller may set on a customer (besides mobile and ID number, which are normalised and matched on).
CUSTOMER_FIELDS = (
    "kind", "name", "gender", "birth_date", "province", "city", "address", "occupation", "income_band",
    "education", "company_name", "fleet_size", "notes",
)


@dataclass
class CustomerInput:
    """What a form, an API call, a bulk item or an import row says about a customer."""

    name: str = ""
    mobile: str = ""
    id_number: str = ""
    fields: dict | None = None


def normalize_customer_input(data: dict) -> CustomerInput:
    """Normalise mobile, ID number and name; raise ValidationError with field messages."""
    errors: dict[str, list] = {}
    result = CustomerInput(fields={k: data[k] for k in CUSTOMER_FIELDS if k in data and k != "name"})
    for field, normaliser in (("name", normalize_person_name), ("mobile", normalize_mobile),
                              ("id_number", normalize_resident_id)):
        value = data.get(field) or ""
        if not value:
            continue
        try:
            setattr(result, field, normaliser(value))
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return result


def customer_match(*, tenant_id: int, mobile: str = "", id_number: str = "", dealer_id: int | None = None,
                   external_id: str = "") -> Customer | None:
    """The live customer with this dealer's external id, mobile or ID number; refuses two different matches."""
    found: dict[int, Customer] = {}
    if dealer_id and external_id:
        link = CustomerDealer.objects.filter(dealer_id=dealer_id, external_id=external_id).select_related("customer")
        for row in link:
            if row.customer.merged_into_id is None:
                found[row.customer_id] = row.customer
    conditions = Q()
    if mobile:
        conditions |= Q(mobile=mobile)
    if id_number:
        conditions |= Q(id_number_hash=crypto.lookup_hash(id_number))
    if conditions:
        for customer in Customer.objects.filter(conditions, tenant_id=tenant_id, merged_into__isnull=True):
            found[customer.pk] = customer
    if len(found) > 1:
        raise ValidationError(
            {"mobile": [_("This mobile number and ID number belong to two different customers: merge them first.")]}
        )
    return next(iter(found.values()), None)


def customer_link_dealer(*, customer: Customer, dealer_id: int, kind: str, external_id: str = "") -> CustomerDealer:
    """Link a customer to a dealer (idempotent); a dealer system's external id is recorded on the link."""
    link, created = CustomerDealer.objects.get_or_create(
        customer=customer, dealer_id=dealer_id,
        defaults={"tenant_id": customer.tenant_id, "kind": kind, "external_id": external_id},
    )
    if not created and external_id and link.external_id != external_id:
        if CustomerDealer.objects.filter(dealer_id=dealer_id, external_id=external_id).exclude(pk=link.pk).exists():
            raise ValidationError({"external_id": [_("Another customer already has this external id at this dealer.")]})
        link.external_id = external_id
        link.save(update_fields=["external_id", "updated_at"])
    return link


@transaction.atomic
def customer_upsert(*, scope: Scope, dealer_id: int | None, data: dict, link_kind: str = choices.LinkKind.ASSIGNED,
                    external_id: str = "", consent_again: bool = False) -> tuple[Customer, bool]:
    """Find the customer by external id, mobile or ID number, or create one; update what was given; link the dealer.

    Every way in (browser, API, bulk, import) goes through here, so the same person is never created twice.
    """
    given = normalize_customer_input(data)
    customer = customer_match(tenant_id=scope.tenant_id, mobile=given.mobile, id_number=given.id_number,
                              dealer_id=dealer_id, external_id=external_id)
    created = customer is None
    if created:
        if not given.name:
            raise ValidationError({"name": [_("Enter the customer's name.")]})
        from .data_subject import ERASED_MESSAGE, erased_mobile, lift_tombstone

        if erased_mobile(scope.tenant_id, given.mobile):
            if not consent_again:
                raise ValidationError({"mobile": [ERASED_MESSAGE]})
            lift_tombstone(scope=scope, tenant_id=scope.tenant_id, mobile=given.mobile)
        customer = Customer(tenant_id=scope.tenant_id)
    if given.name:
        customer.name = given.name
    if given.mobile:
        customer.mobile = given.mobile
    if given.id_number:
        customer.set_id_number(given.id_number)
    for field, value in (given.fields or {}).items():
        if value not in (None, "") or created:
            setattr(customer, field, value if value is not None else "")
    customer.full_clean(exclude=["tenant", "key_account_owner", "merged_into"])
    customer.save()
    if dealer_id:
        customer_link_dealer(customer=customer, dealer_id=dealer_id, kind=link_kind, external_id=external_id)
    return customer, created


@transaction.atomic
def customer_update(*, scope: Scope, customer: Customer, data: dict, dealer_id: int | None = None,
                    external_id: str = "") -> Customer:
    """Correct a known customer's details; a mobile or ID number that belongs to another customer is refused."""
    given = normalize_customer_input(data)
    if "name" in data and not given.name:
        raise ValidationError({"name": [_("Enter the customer's name.")]})
    others = Customer.objects.filter(tenant_id=customer.tenant_id, merged_into__isnull=True).exclude(pk=customer.pk)
    if given.mobile and others.filter(mobile=given.mobile).exists():
        raise ValidationError({"mobile": [_("A customer with this mobile number already exists.")]})
    if given.id_number and others.filter(id_number_hash=crypto.lookup_hash(given.id_number)).exists():
        raise ValidationError({"id_number": [_("A customer with this ID number already exists.")]})
    if given.name:
        customer.name = given.name
    if "mobile" in data:
        customer.mobile = given.mobile
    if given.id_number:
        customer.set_id_number(given.id_number)
    for field, value in (given.fields or {}).items():
        setattr(customer, field, value if value is not None or field in ("birth_date", "fleet_size") else "")
    customer.full_clean(exclude=["tenant", "key_account_owner", "merged_into"])
    customer.save()
    if dealer_id:
        customer_link_dealer(customer=customer, dealer_id=dealer_id, kind=choices.LinkKind.ASSIGNED,
                             external_id=external_id)
    audit(scope, "customer.update", customer, fields=sorted(set(data)))
    return customer


def customer_reveal(*, scope: Scope, customer: Customer, field: str) -> str:
    """Show one personal number in full, and log who saw it (PIPL)."""
    if field not in {"mobile", "id_number"}:
        raise ValidationError({"field": [_("Only the mobile or the ID number can be revealed.")]})
    audit(scope, f"customer.reveal.{field}", customer)
    return customer.mobile if field == "mobile" else customer.id_number


@transaction.atomic
def customer_set_do_not_call(*, scope: Scope, customer: Customer, do_not_call: bool, reason: str = "") -> Customer:
    """Set or clear do-not-call, keeping the history."""
    if customer.do_not_call != do_not_call:
        customer.do_not_call = do_not_call
        customer.save(update_fields=["do_not_call", "updated_at"])
        DoNotCallChange.objects.create(tenant_id=customer.tenant_id, customer=customer, do_not_call=do_not_call,
                                       reason=reason, changed_by_id=scope.user_id)
        audit(scope, "customer.do_not_call", customer, do_not_call=do_not_call)
    return customer


def consent_record(*, scope: Scope, customer: Customer, channel: str, purpose: str, granted: bool,
                   source: str, text_version: str = "") -> ConsentRecord:
    """Record a consent given or withdrawn; the newest record per channel and purpose is in force."""
    record = ConsentRecord(tenant_id=customer.tenant_id, customer=customer, channel=channel, purpose=purpose,
                           granted=granted, source=source, text_version=text_version, recorded_by_id=scope.user_id)
    record.full_clean(exclude=["tenant"])
    record.save()
    return record


def consent_current(customer: Customer) -> dict[tuple[str, str], ConsentRecord]:
    """The consent in force per (channel, purpose)."""
    current: dict[tuple[str, str], ConsentRecord] = {}
    for record in customer.consents.order_by("created_at", "id"):
        current[(record.channel, record.purpose)] = record
    return current


@transaction.atomic
def customer_merge(*, scope: Scope, survivor: Customer, merged: Customer) -> CustomerMerge:
    """Move everything of a duplicate onto the surviving record and retire the duplicate (kept, marked merged).

    Every app's rows move through its registered merge participants (crm_site.plugins.MergeParticipant).
    """
    if survivor.pk == merged.pk or survivor.tenant_id != merged.tenant_id:
        raise ValidationError({"merged": [_("Choose two different customers.")]})
    if merged.merged_into_id or survivor.merged_into_id:
        raise ValidationError({"merged": [_("This customer was already merged.")]})
    # Lock both rows so two merges cannot interleave.
    list(Customer.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk"))
    moved = {participant.key: participant.run(survivor, merged) for participant in registry["merge_participants"]}
    existing = set(survivor.contact_points.values_list("kind", "value"))
    points = [p for p in merged.contact_points.all() if (p.kind, p.value) not in existing]
    ContactPoint.objects.filter(pk__in=[p.pk for p in points]).update(customer=survivor)
    moved["contact_points"] = len(points)
    if merged.mobile and merged.mobile != survivor.mobile:
        ContactPoint.objects.get_or_create(customer=survivor, kind=choices.ContactKind.MOBILE, value=merged.mobile,
                                           defaults={"tenant_id": survivor.tenant_id, "label": "merged"})
    linked = set(survivor.dealer_links.values_list("dealer_id", flat=True))
    for link in merged.dealer_links.all():
        if link.dealer_id in linked:
            link.delete()  # the survivor's own link to that dealer wins
        else:
            link.customer = survivor
            link.save(update_fields=["customer", "updated_at"])
    for field in ("mobile", "gender", "birth_date", "province", "city", "address", "occupation", "income_band",
                  "education", "company_name"):
        if not getattr(survivor, field) and getattr(merged, field):
            setattr(survivor, field, getattr(merged, field))
    if not survivor.id_number_hash and merged.id_number_hash:
        survivor.id_number_encrypted, survivor.id_number_hash = merged.id_number_encrypted, merged.id_number_hash
    survivor.do_not_call = survivor.do_not_call or merged.do_not_call
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into", "updated_at"])
    survivor.save()
    record = CustomerMerge.objects.create(tenant_id=survivor.tenant_id, survivor=survivor, merged=merged,
                                          merged_by_id=scope.user_id, moved=moved)
    audit(scope, "customer.merge", survivor, merged_id=merged.pk, moved=moved)
    return record
