"""Writes on complaints (投诉): open, acknowledge, note, wait/resume, resolve, confirm, escalate, attach.

Every step is an event on the complaint's timeline and an audit row; after each one the due times are recomputed
from the whole event history (clock.schedule), so a changed calendar or a reopen is always reflected.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.models import audit
from crm_site.scope import Scope

from ..models import (
    ACTIVE_STATUSES,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    LEVEL_ORDER,
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintCounter,
    ComplaintEvent,
    ComplaintStatus,
    EventKind,
    Level,
    Severity,
)
from . import clock
from .notices import notify_level

NUMBER_PREFIX = "TS"


def complaint_link(complaint: Complaint) -> str:
    return reverse("callcenter:complaint-detail", args=[complaint.pk])


def complaint_number(tenant_id: int, at: dt.datetime) -> str:
    """The next number of the tenant for this month, e.g. TS202612000123 (one atomic upsert: no two alike)."""
    month = timezone.localtime(at).strftime("%Y%m")
    table = ComplaintCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (tenant_id, month, last, created_at, updated_at) VALUES (%s, %s, 1, now(), now()) "  # noqa: S608
            f"ON CONFLICT (tenant_id, month) DO UPDATE SET last = {table}.last + 1, updated_at = now() "
            "RETURNING last",
            [tenant_id, month],
        )
        (last,) = cursor.fetchone()
    return f"{NUMBER_PREFIX}{month}{last:06d}"


def _actor(scope: Scope) -> dict:
    return {"actor_id": scope.user_id, "api_client_id": scope.api_client_id}


def _event(scope: Scope, complaint: Complaint, kind: str, at: dt.datetime, text: str = "", **extra) -> ComplaintEvent:
    event = ComplaintEvent(tenant_id=complaint.tenant_id, dealer_id=complaint.dealer_id, complaint=complaint,
                           kind=kind, at=at, text=text, **_actor(scope), **extra)
    event.full_clean(exclude=["complaint", "dealer", "tenant"])
    event.save()
    audit(scope, f"complaint.{kind}", complaint, number=complaint.number, text=text[:200])
    return event


def complaint_refresh(complaint: Complaint, *, save: bool = True) -> Complaint:
    """Recompute the stored due times and the next escalation moment from the event history."""
    settings = clock.tenant_settings(complaint.tenant_id)
    # Read afresh: a caller's prefetched `events` would miss the step just recorded.
    plan = clock.schedule(complaint, ComplaintEvent.objects.filter(complaint_id=complaint.pk), settings)
    complaint.first_contact_due = plan.first_contact.at if plan.first_contact else None
    complaint.resolution_due = plan.resolution.at if plan.resolution else None
    complaint.escalate_at = clock.next_escalation(complaint, settings.reescalate_hours)
    if save:
        complaint.save()
    return complaint


def _check_state(complaint: Complaint, allowed, message: str) -> None:
    if complaint.status not in allowed:
        raise ValidationError({"status": [message]})


def _text(value: str, field: str, *, required: bool = True, limit: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationError({field: [_("At most %(n)s characters.") % {"n": limit}]})
    return value


def _lock(complaint: Complaint) -> Complaint:
    """The complaint re-read under a row lock, so two people's steps on it apply one after the other."""
    fresh = Complaint._base_manager.select_for_update().get(pk=complaint.pk)
    for name in [f.attname for f in Complaint._meta.concrete_fields]:
        setattr(complaint, name, getattr(fresh, name))
    return complaint


@transaction.atomic
def complaint_open(*, scope: Scope, channel: str, customer, dealer, severity: str, description: str, category=None,
                   vehicle=None, call=None, follow_up=None, at: dt.datetime | None = None) -> Complaint:
    """Open a complaint against a dealer: numbered, due times computed, first event, the dealer manager told."""
    from customers.choices import LinkKind
    from customers.services import customer_link_dealer

    at = at or timezone.now()
    errors = {}
    if channel not in ComplaintChannel.values:
        errors["channel"] = [_("Choose a channel.")]
    if severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if dealer is None or dealer.tenant_id != scope.tenant_id or not scope.sees_dealer(dealer.pk):
        errors["dealer"] = [_("Choose the responsible dealer.")]
    if customer is None or customer.tenant_id != scope.tenant_id or customer.merged_into_id:
        errors["customer"] = [_("Choose the customer.")]
    if vehicle is not None and vehicle.tenant_id != scope.tenant_id:
        errors["vehicle"] = [_("Unknown vehicle.")]
    if category is not None and (category.tenant_id != scope.tenant_id or not category.is_active):
        errors["category"] = [_("Choose an active category.")]
    if call is not None and call.tenant_id != scope.tenant_id:
        errors["call"] = [_("Unknown call.")]
    try:
        description = _text(description, "description", limit=4000)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    complaint = Complaint(
        tenant_id=scope.tenant_id, dealer=dealer, number=complaint_number(scope.tenant_id, at), channel=channel,
        customer=customer, vehicle=vehicle, category=category, severity=severity, description=description,
        follow_up=follow_up, opened_at=at, cycle_started_at=at,
    )
    complaint.full_clean(exclude=["tenant", "dealer", "customer", "vehicle", "category", "follow_up", "owner"])
    complaint.save()
    _event(scope, complaint, EventKind.OPENED, at, description[:200], to_level=Level.DEALER,
           detail={"channel": channel, "severity": severity})
    complaint_refresh(complaint)
    # The store must be able to see the customer it has to call back.
    customer_link_dealer(customer=customer, dealer_id=dealer.pk, kind=LinkKind.ASSIGNED)
    if call is not None:
        type(call)._base_manager.filter(pk=call.pk).update(complaint=complaint)
    notify_level(complaint, Level.DEALER, kind="complaint.opened", at=at, immediate=True,
                 text=_("New complaint %(number)s (%(severity)s) for your store") % {
                     "number": complaint.number, "severity": complaint.get_severity_display()})
    return complaint


@transaction.atomic
def complaint_acknowledge(*, scope: Scope, complaint: Complaint, note: str = "",
                          at: dt.datetime | None = None) -> Complaint:
    """First contact with the customer made (首次联系): the first commitment is met or missed now."""
    at = at or timezone.now()
    _lock(complaint)
    _check_state(complaint, (ComplaintStatus.OPEN, ComplaintStatus.REOPENED),
                 _("Only an open or reopened complaint can be acknowledged."))
    note = _text(note, "note", required=False)
    complaint.status = ComplaintStatus.ACKNOWLEDGED
    complaint.first_contact_at = at
    complaint.progress_at = at
    if complaint.owner_id is None and scope.user_id:
        complaint.owner_id = scope.user_id
    if complaint.first_contact_hours is None:  # the KPI measures the first cycle only
        complaint.first_contact_hours = _working_hours(complaint, complaint.opened_at, at)
        complaint.first_contact_in_time = complaint.first_contact_due is None or at <= complaint.first_contact_due
    _event(scope, complaint, EventKind.ACKNOWLEDGED, at, note)
    return complaint_refresh(complaint)


@transaction.atomic
def complaint_note(*, scope: Scope, complaint: Complaint, text: str, at: dt.datetime | None = None) -> Complaint:
    """A note on the timeline (a call made, a part ordered); it counts as progress."""
    at = at or timezone.now()
    _lock(complaint)
    text = _text(text, "text")
    complaint.progress_at = at
    _event(scope, complaint, EventKind.NOTE, at, text)
    return complaint_refresh(complaint)


@transaction.atomic
def complaint_wait(*, scope: Scope, complaint: Complaint, note: str = "", at: dt.datetime | None = None) -> Complaint:
    """Waiting on the customer (a document, an appointment): the clock stops until resumed."""
    at = at or timezone.now()
    _lock(complaint)
    _check_state(complaint, ACTIVE_STATUSES, _("Only a complaint being worked can wait for the customer."))
    if complaint.waiting_since is not None:
        raise ValidationError({"status": [_("The complaint is already waiting for the customer.")]})
    complaint.waiting_since = at
    complaint.progress_at = at
    _event(scope, complaint, EventKind.WAITING, at, _text(note, "note", required=False))
    return complaint_refresh(complaint)


@transaction.atomic
def complaint_resume(*, scope: Scope, complaint: Complaint, note: str = "", at: dt.datetime | None = None) -> Complaint:
    """The customer answered: the clock runs again, the due times move by the pause."""
    at = at or timezone.now()
    _lock(complaint)
    if complaint.waiting_since is None:
        raise ValidationError({"status": [_("The complaint is not waiting for the customer.")]})
    complaint.waiting_since = None
    complaint.progress_at = at
    _event(scope, complaint, EventKind.RESUMED, at, _text(note, "note", required=False))
    return complaint_refresh(complaint)


@transaction.atomic
def complaint_resolve(*, scope: Scope, complaint: Complaint, resolution: str,
                      at: dt.datetime | None = None) -> Complaint:
    """The store proposes its resolution; the call center then calls the customer to confirm it."""
    at = at or timezone.now()
    _lock(complaint)
    _check_state(complaint, ACTIVE_STATUSES, _("Only a complaint being worked can be resolved."))
    resolution = _text(resolution, "resolution")
    if complaint.first_contact_at is None:  # resolving in the first call is also the first contact
        complaint.first_contact_at = at
        if complaint.first_contact_hours is None:
            complaint.first_contact_hours = _working_hours(complaint, complaint.opened_at, at)
            complaint.first_contact_in_time = complaint.first_contact_due is None or at <= complaint.first_contact_due
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolution = resolution
    complaint.resolved_at = at
    complaint.waiting_since = None
    complaint.progress_at = at
    if complaint.resolution_hours is None:
        complaint.resolution_hours = _working_hours(complaint, complaint.opened_at, at)
        complaint.resolution_in_time = complaint.resolution_due is None or at <= complaint.resolution_due
    _event(scope, complaint, EventKind.RESOLVED, at, resolution)
    return complaint_refresh(complaint)


@transaction.atomic
def complaint_confirm(*, scope: Scope, complaint: Complaint, accepted: bool, note: str = "",
                      at: dt.datetime | None = None) -> Complaint:
    """The customer confirmation call: accepted closes it; rejected reopens it with new due times."""
    at = at or timezone.now()
    _lock(complaint)
    _check_state(complaint, (ComplaintStatus.RESOLVED,), _("Only a resolved complaint can be confirmed."))
    note = _text(note, "note", required=not accepted)
    if accepted:
        complaint.status = ComplaintStatus.CLOSED
        complaint.closed_at = at
        _event(scope, complaint, EventKind.CONFIRMED, at, note)
    else:
        complaint.status = ComplaintStatus.REOPENED
        complaint.reopen_count += 1
        complaint.cycle_started_at = at
        complaint.first_contact_at = None
        complaint.resolved_at = None
        complaint.first_contact_escalated = complaint.resolution_escalated = False
        complaint.escalated_at = None
        complaint.progress_at = at
        _event(scope, complaint, EventKind.REOPENED, at, note, detail={"reopen_count": complaint.reopen_count})
        complaint_refresh(complaint)
        notify_level(complaint, Level(complaint.level), kind="complaint.reopened", at=at,
                     text=_("Complaint %(number)s reopened: the customer rejected the resolution") % {
                         "number": complaint.number})
        return complaint
    return complaint_refresh(complaint)


@transaction.atomic
def complaint_escalate(*, scope: Scope, complaint: Complaint, reason: str, at: dt.datetime | None = None) -> Complaint:
    """Move a complaint one level up by hand (with a reason); the people of the new level are told."""
    at = at or timezone.now()
    _lock(complaint)
    _check_state(complaint, ACTIVE_STATUSES, _("Only a complaint being worked can be escalated."))
    reason = _text(reason, "reason")
    if complaint.level == Level.HQ:
        raise ValidationError({"level": [_("The complaint is already at HQ.")]})
    old = complaint.level
    complaint.level = LEVEL_ORDER[LEVEL_ORDER.index(old) + 1]
    complaint.escalated_at = at
    _event(scope, complaint, EventKind.ESCALATED, at, reason, from_level=old, to_level=complaint.level,
           detail={"by_hand": True})
    complaint_refresh(complaint)
    notify_level(complaint, Level(complaint.level), kind="complaint.escalated", at=at,
                 text=_("Complaint %(number)s escalated to you: %(reason)s") % {
                     "number": complaint.number, "reason": reason[:120]})
    return complaint


@transaction.atomic
def complaint_change(*, scope: Scope, complaint: Complaint, data: dict, at: dt.datetime | None = None) -> Complaint:
    """Correct category, severity, description or vehicle; a changed severity moves the due times."""
    at = at or timezone.now()
    _lock(complaint)
    changed = {}
    for name in ("category", "severity", "description", "vehicle"):
        if name in data and getattr(complaint, name) != data[name]:
            changed[name] = str(data[name]) if data[name] is not None else ""
            setattr(complaint, name, data[name])
    if complaint.severity not in Severity.values:
        raise ValidationError({"severity": [_("Choose a severity.")]})
    category = complaint.category
    if category is not None and category.tenant_id != complaint.tenant_id:
        raise ValidationError({"category": [_("Choose an active category.")]})
    complaint.description = _text(complaint.description, "description", limit=4000)
    if changed:
        _event(scope, complaint, EventKind.CHANGED, at, ", ".join(sorted(changed)), detail=changed)
        complaint_refresh(complaint)
    return complaint


def attachment_check(name: str, content_type: str, size: int, head: bytes) -> str:
    """The file's accepted type, or a ValidationError: photos (JPEG, PNG, WebP) and PDF up to 5 MB."""
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    if size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    sniffed = ""
    if head.startswith(b"\xff\xd8\xff"):
        sniffed = "image/jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        sniffed = "image/png"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        sniffed = "image/webp"
    elif head.startswith(b"%PDF-"):
        sniffed = "application/pdf"
    lowered = name.lower()
    if not sniffed or not lowered.endswith(ATTACHMENT_TYPES[sniffed]):
        raise ValidationError({"file": [_("Only photos (JPEG, PNG, WebP) and PDF documents can be attached.")]})
    return sniffed


@transaction.atomic
def complaint_attach(*, scope: Scope, complaint: Complaint, upload, at: dt.datetime | None = None) -> ComplaintAttachment:
    """Keep a photo or document with the complaint (type and size checked from the content, not the name only)."""
    at = at or timezone.now()
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    data = upload.read()
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    content_type = attachment_check(name, getattr(upload, "content_type", ""), len(data), data[:16])
    row = ComplaintAttachment.objects.create(
        tenant_id=complaint.tenant_id, dealer_id=complaint.dealer_id, complaint=complaint, name=name,
        content_type=content_type, size=len(data), data=data, uploaded_by_id=scope.user_id)
    _event(scope, complaint, EventKind.ATTACHMENT, at, name, detail={"attachment": row.pk, "size": len(data)})
    return row


def _working_hours(complaint: Complaint, start: dt.datetime, end: dt.datetime) -> float:
    """Hours from start to end in the responsible dealer's working time (the KPIs' unit)."""
    from ..working_time import calendar_for

    return round(calendar_for(complaint.tenant_id, complaint.dealer_id).working_time_between(start, end)
                 .total_seconds() / 3600, 2)


def category_choices(tenant_id: int):
    """Active categories of the tenant, parents before their children."""
    return ComplaintCategory._base_manager.filter(tenant_id=tenant_id, is_active=True).select_related("parent") \
        .order_by("parent__order", "order", "code")
