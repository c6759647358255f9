"""Who is told about a complaint at each level, and when: inside the recipients' working hours unless critical.

A notice that may not go out yet is a pending row (ComplaintNotice), sent by the escalation task once its
recipient's working time comes; sending is an in-app notification plus an email through Django's backend.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from crm_site.models import Notification, notify
from dealers.choices import Role
from dealers.models import User

from ..models import Complaint, ComplaintNotice, Level, Severity
from ..working_time import calendar_for

HQ_ROLES = (Role.OEM_ADMIN, Role.CC_SUPERVISOR)


def recipients(complaint: Complaint, level: str):
    """The people of a level: the dealer's managers, the region's managers, or HQ (OEM admins, CC supervisors)."""
    users = User.objects.filter(tenant_id=complaint.tenant_id, is_active=True)
    if level == Level.DEALER:
        return users.filter(role=Role.DEALER_MANAGER, dealer_id=complaint.dealer_id)
    if level == Level.REGION:
        return users.filter(role=Role.REGION_MANAGER, region_id=complaint.dealer.region_id)
    return users.filter(role__in=HQ_ROLES)


def send_after(complaint: Complaint, level: str, at: dt.datetime, calendars: dict | None = None) -> dt.datetime:
    """When the people of a level may be told: now for a critical complaint, else inside their working hours."""
    if complaint.severity == Severity.CRITICAL:
        return at
    calendars = calendars if calendars is not None else {}
    dealer_id = complaint.dealer_id if level == Level.DEALER else None
    key = (complaint.tenant_id, dealer_id)
    if key not in calendars:
        calendars[key] = calendar_for(complaint.tenant_id, dealer_id)
    return calendars[key].next_working_moment(at)


def notify_level(complaint: Complaint, level: str, *, kind: str, text, at: dt.datetime, immediate: bool = False,
                 calendars: dict | None = None) -> int:
    """Tell the people of a level now (in-app), or queue the notice for their working hours; returns how many."""
    if immediate:
        users = list(recipients(complaint, level))
        link = reverse("callcenter:complaint-detail", args=[complaint.pk])
        return notify(tenant_id=complaint.tenant_id, users=users, kind=kind, text=text, link=link) if users else 0
    queued = notices_queue([(complaint, level, kind, text)], at=at, calendars=calendars)
    notices_send(tenant_id=complaint.tenant_id, at=at)
    return queued


def notices_queue(items, *, at: dt.datetime, calendars: dict | None = None) -> int:
    """Queue notices for many (complaint, level, kind, text) at once: recipients looked up once per level and place."""
    calendars = calendars if calendars is not None else {}
    people: dict = {}
    moments: dict = {}  # one answer per calendar and severity class: `at` is the same for every item
    rows = []
    link_of = reverse("callcenter:complaint-detail", args=[0]).replace("/0/", "/{}/")
    for complaint, level, kind, text in items:
        place = (level, complaint.dealer_id if level == Level.DEALER
                 else complaint.dealer.region_id if level == Level.REGION else None)
        if place not in people:
            people[place] = list(recipients(complaint, level).values_list("pk", flat=True))
        if not people[place]:
            continue
        moment_key = (complaint.severity == Severity.CRITICAL, complaint.dealer_id if level == Level.DEALER else None)
        if moment_key not in moments:
            moments[moment_key] = send_after(complaint, level, at, calendars)
        when = moments[moment_key]
        link = link_of.format(complaint.pk)
        rows.extend(ComplaintNotice(tenant_id=complaint.tenant_id, complaint_id=complaint.pk, user_id=user_id,
                                    kind=kind, text=str(text)[:255], link=link, send_after=when)
                    for user_id in people[place])
    ComplaintNotice.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


ESCALATED_NOTICES_SQL = """
INSERT INTO {notice} (tenant_id, created_at, updated_at, complaint_id, user_id, kind, text, link, send_after)
SELECT c.tenant_id, now(), now(), c.id, u.id, %(kind)s,
       left(replace(CASE m.reason WHEN 'first_contact' THEN %(first_contact)s WHEN 'resolution' THEN %(resolution)s
                    ELSE %(no_progress)s END, '{{number}}', c.number), 255),
       replace(%(link)s, '/0/', '/' || c.id || '/'),
       CASE WHEN c.severity = 'critical' THEN %(at)s ELSE %(office_at)s END
FROM unnest(%(ids)s::bigint[], %(reasons)s::text[]) AS m(id, reason)
JOIN {complaint} c ON c.id = m.id
JOIN {dealer} d ON d.id = c.dealer_id
JOIN {user} u ON u.tenant_id = c.tenant_id AND u.is_active
 AND ((c.level = 'region' AND u.role = 'region_manager' AND u.region_id = d.region_id)
   OR (c.level = 'hq' AND u.role IN ('oem_admin', 'cc_supervisor')))
"""


def notices_queue_escalated(*, tenant_id: int, moved: list[dict], texts: dict, at: dt.datetime) -> int:
    """Queue the notices of an escalation run in one INSERT … SELECT (escalations go to the region or HQ).

    `texts` maps each reason to its message with `{number}` where the complaint number goes. Region and HQ people
    work to the tenant's calendar, so one "next working moment" serves every non-critical complaint.
    """
    from django.db import connection

    from dealers.models import Dealer

    if not moved:
        return 0
    sql = ESCALATED_NOTICES_SQL.format(notice=ComplaintNotice._meta.db_table, complaint=Complaint._meta.db_table,
                                       dealer=Dealer._meta.db_table, user=User._meta.db_table)
    params = {"kind": "complaint.escalated", "at": at, "office_at": calendar_for(tenant_id).next_working_moment(at),
              "link": reverse("callcenter:complaint-detail", args=[0]), "ids": [row["id"] for row in moved],
              "reasons": [row["reason"] for row in moved], **{k: str(v) for k, v in texts.items()}}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def notices_send(*, tenant_id: int, at: dt.datetime | None = None) -> int:
    """Send the tenant's pending notices whose time has come (claimed by one UPDATE, so each goes out once)."""
    at = at or timezone.now()
    with transaction.atomic():
        claimed = list(ComplaintNotice.objects.filter(
            pk__in=ComplaintNotice.objects.select_for_update(skip_locked=True)
            .filter(tenant_id=tenant_id, sent_at__isnull=True, send_after__lte=at).values("pk")[:20000])
            .values_list("pk", flat=True))
        if not claimed:
            return 0
        ComplaintNotice.objects.filter(pk__in=claimed, sent_at__isnull=True).update(sent_at=timezone.now())
        due = list(ComplaintNotice.objects.filter(pk__in=claimed).select_related("user").only(
            "kind", "text", "link", "user__email", "user_id"))
        Notification.objects.bulk_create([
            Notification(tenant_id=tenant_id, user_id=n.user_id, kind=n.kind, text=n.text, link=n.link) for n in due],
            batch_size=5000)
    mails = [EmailMessage(subject=n.text[:120], body=f"{n.text}\n\n{n.link}", from_email=settings.DEFAULT_FROM_EMAIL,
                          to=[n.user.email]) for n in due if n.user.email]
    if mails:
        # One connection for the batch; a mail server that is down must not undo the escalation run.
        get_connection(fail_silently=True).send_messages(mails)
    return len(due)
