"""Calls: log an inbound hotline call (or a key-account visit), and act from it: a lead or a service booking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.models import audit, notify
from crm_site.scope import Scope
from crm_site.validators import NOTES_MAX_LENGTH, normalize_mobile
from customers.choices import LinkKind
from dealers.choices import Role

from .access import HOTLINE
from .choices import CallCategory, CallKind, Direction
from .models import Call, ServiceBooking


@dataclass(frozen=True)
class CallInput:
    """What an agent (or a store, for a visit) writes down about one call."""

    direction: str = Direction.INBOUND
    kind: str = CallKind.PHONE
    category: str = CallCategory.INQUIRY
    customer: object = None
    vehicle: object = None
    dealer_id: int | None = None
    caller_number: str = ""
    caller_name: str = ""
    notes: str = ""
    started_at: dt.datetime | None = None
    duration_s: int = 0


def clean_call(scope: Scope, data: CallInput) -> dict:
    """Field checks of a call; returns the values to store."""
    errors = {}
    if data.direction not in Direction.values:
        errors["direction"] = [_("Choose inbound or outbound.")]
    elif data.direction == Direction.INBOUND and not HOTLINE.allows(scope):
        raise PermissionDenied(_("Only the call center logs hotline calls."))
    if data.kind not in CallKind.values:
        errors["kind"] = [_("Choose a phone call or an on-site visit.")]
    if data.category not in CallCategory.values:
        errors["category"] = [_("Choose what the call was about.")]
    number = ""
    if data.caller_number:
        try:
            number = normalize_mobile(data.caller_number)
        except ValidationError as exc:
            errors["caller_number"] = exc.messages
    if data.customer is None and not (number or data.caller_name.strip()):
        errors["customer"] = [_("Pick the customer, or write down the caller's number or name.")]
    if data.vehicle is not None and data.customer is not None and data.vehicle.owner_id not in (None, data.customer.pk):
        errors["vehicle"] = [_("This vehicle belongs to another customer.")]
    if len(data.notes or "") > NOTES_MAX_LENGTH:
        errors["notes"] = [_("At most 2,000 characters.")]
    dealer_id = scope.single_dealer_id if data.dealer_id is None and scope.single_dealer_id else data.dealer_id
    if dealer_id is not None and not scope.sees_dealer(dealer_id):
        errors["dealer"] = [_("Choose a dealer you work with.")]
    started = data.started_at or timezone.now()
    if started > timezone.now() + dt.timedelta(minutes=5):
        errors["started_at"] = [_("A call cannot start in the future.")]
    if not 0 <= int(data.duration_s or 0) <= 86400:
        errors["duration_s"] = [_("Between 0 and 86,400 seconds.")]
    if errors:
        raise ValidationError(errors)
    return {
        "direction": data.direction, "kind": data.kind, "category": data.category, "customer": data.customer,
        "vehicle": data.vehicle, "dealer_id": dealer_id, "caller_number": number,
        "caller_name": data.caller_name.strip()[:100], "notes": (data.notes or "").strip(), "started_at": started,
        "duration_s": int(data.duration_s or 0),
    }


@transaction.atomic
def call_log(*, scope: Scope, data: CallInput) -> Call:
    """Record a call or a key-account visit by the acting agent."""
    values = clean_call(scope, data)
    call = Call.objects.create(tenant_id=scope.tenant_id, agent_id=scope.user_id, **values)
    audit(scope, "call.log", call, direction=call.direction, kind=call.kind)
    return call


def dealer_people(dealer_id: int, roles) -> list:
    """Active staff of a dealer in these roles (whom a store-side request is sent to)."""
    from dealers.models import User

    return list(User.objects.filter(dealer_id=dealer_id, role__in=list(roles), is_active=True))


@transaction.atomic
def call_open_lead(*, scope: Scope, call: Call, dealer_id: int, interested_model=None, notes: str = ""):
    """A caller wants to buy: a hotline lead for the store they named, linked to the call."""
    from customers.choices import LeadSource
    from customers.leads import lead_create

    if call.customer_id is None:
        raise ValidationError({"customer": [_("Pick or create the customer first.")]})
    if not scope.sees_dealer(dealer_id):
        raise ValidationError({"dealer": [_("Choose a dealer you work with.")]})
    lead = lead_create(scope=scope, dealer_id=dealer_id, source=LeadSource.HOTLINE, customer=call.customer,
                       interested_model=interested_model, notes=notes or call.notes)
    call.lead = lead
    call.dealer_id = call.dealer_id or dealer_id
    call.save(update_fields=["lead", "dealer", "updated_at"])
    audit(scope, "call.lead", call, lead=lead.pk)
    return lead


@transaction.atomic
def call_book_service(*, scope: Scope, call: Call, dealer_id: int, wanted_on: dt.date, notes: str = "",
                      vehicle=None, recategorise: bool = True) -> ServiceBooking:
    """A caller asks for a service appointment: the store confirms it; its advisors are told at once.

    A booking taken in a follow-up call keeps the call a follow-up (`recategorise=False`): the board counts it so.
    """
    from customers.services import customer_link_dealer

    errors = {}
    if call.customer_id is None:
        errors["customer"] = [_("Pick or create the customer first.")]
    if not scope.sees_dealer(dealer_id):
        errors["dealer"] = [_("Choose a dealer you work with.")]
    if wanted_on is None or wanted_on < timezone.localdate():
        errors["wanted_on"] = [_("Choose today or a later day.")]
    if errors:
        raise ValidationError(errors)
    booking = ServiceBooking.objects.create(
        tenant_id=scope.tenant_id, dealer_id=dealer_id, customer_id=call.customer_id,
        vehicle=vehicle or call.vehicle, call=call, wanted_on=wanted_on, notes=(notes or "")[:500])
    customer_link_dealer(customer=call.customer, dealer_id=dealer_id, kind=LinkKind.ASSIGNED)
    if recategorise:
        call.category = CallCategory.BOOKING
    call.dealer_id = call.dealer_id or dealer_id
    call.save(update_fields=["category", "dealer", "updated_at"])
    notify(tenant_id=scope.tenant_id, users=dealer_people(dealer_id, {Role.SERVICE_ADVISOR, Role.DEALER_MANAGER}),
           kind="service_booking",
           text=(_("Service booking from the hotline: %(customer)s on %(day)s.") if recategorise else
                 _("Service booking from a follow-up call: %(customer)s on %(day)s.")) % {
               "customer": call.customer.name, "day": wanted_on.isoformat()},
           link="/callcenter/bookings/")
    audit(scope, "call.booking", call, booking=booking.pk)
    return booking
