"""Survey invitations (DESIGN §9.4): one set-based INSERT … SELECT … ON CONFLICT DO NOTHING per template.

For a day D, every sale delivered (SSI) or service visit closed (CSI) `invite_after_days` before D — and, so a missed
day catches up, in the week before that — gets one invitation, sampled by a hash of the subject (a re-run samples
the same subjects), unless the customer is merged away, do-not-call, without survey consent on the channel (phone
for a call, SMS for a link), without a mobile number, has an open complaint, or was invited or called for marketing
in the contact-cap window. Invitations by call become follow-up tasks of the tenant's `survey_call` rule.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import connection, transaction
from django.utils import timezone

from callcenter.models.complaints import ACTIVE_STATUSES
from crm_site.models import audit
from crm_site.scope import Scope

from .choices import Channel, TemplateKind
from .models import SurveyTemplate, settings_for

CATCH_UP_DAYS = 7
SKIP_REASONS = ("customer_erased", "do_not_call", "no_mobile", "no_consent", "open_complaint", "contact_cap")

CANDIDATES = {
    TemplateKind.SSI: """
        SELECT s.dealer_id, s.customer_id, s.vehicle_id, 'sale' AS subject_kind, s.id AS subject_id,
               s.delivered_on AS subject_on, s.consultant_id AS staff_id
        FROM vehicles_sale s
        WHERE s.tenant_id = %(tenant)s AND s.delivered_on BETWEEN %(lo)s AND %(hi)s""",
    TemplateKind.CSI: """
        SELECT v.dealer_id, COALESCE(v.customer_id, veh.owner_id), v.vehicle_id, 'visit', v.id,
               (v.closed_at AT TIME ZONE %(tz)s)::date, v.advisor_id
        FROM vehicles_servicevisit v JOIN vehicles_vehicle veh ON veh.id = v.vehicle_id
        WHERE v.tenant_id = %(tenant)s AND v.closed_at >= %(lo_at)s AND v.closed_at < %(hi_at)s
          AND COALESCE(v.customer_id, veh.owner_id) IS NOT NULL""",
}

INVITE_SQL = """
WITH cand (dealer_id, customer_id, vehicle_id, subject_kind, subject_id, subject_on, staff_id) AS ({candidates}),
fresh AS (
    -- Sampled by a hash of the subject, so a re-run picks the same ones; one subject per customer per run. The
    -- subjects already invited are looked up once, as a set (a hashed subplan over the window's invitations).
    SELECT DISTINCT ON (cand.customer_id) cand.* FROM cand
    WHERE (abs(hashtext(%(kind)s || ':' || cand.subject_id::text)) %% 10000) < %(sample)s
      AND cand.subject_id NOT IN (
          SELECT e.subject_id FROM surveys_surveyinvitation e
          WHERE e.tenant_id = %(tenant)s AND e.kind = %(kind)s AND e.period = ''
            AND e.subject_on BETWEEN %(lo)s AND %(hi)s)
    ORDER BY cand.customer_id, cand.subject_on DESC, cand.subject_id DESC
),
classified AS (
    SELECT fresh.*, CASE
        WHEN c.merged_into_id IS NOT NULL THEN 'customer_erased'
        WHEN c.do_not_call THEN 'do_not_call'
        WHEN c.mobile = '' THEN 'no_mobile'
        WHEN NOT COALESCE((SELECT cr.granted FROM customers_consentrecord cr
                           WHERE cr.customer_id = c.id AND cr.channel = %(consent_channel)s AND cr.purpose = 'survey'
                           ORDER BY cr.created_at DESC, cr.id DESC LIMIT 1), false) THEN 'no_consent'
        WHEN c.id IN (SELECT k.customer_id FROM callcenter_complaint k
                      WHERE k.tenant_id = %(tenant)s AND k.status = ANY(%(active)s)) THEN 'open_complaint'
        -- The contact cap: correlated look-ups on the customer's own indexes, whatever the size of the sets.
        WHEN EXISTS (SELECT 1 FROM surveys_surveyinvitation p
                     WHERE p.customer_id = c.id AND p.created_at >= %(cap_from)s)
          OR EXISTS (SELECT 1 FROM callcenter_followuptask m
                     WHERE m.customer_id = c.id AND m.due_on > %(cap_day)s AND m.due_on <= %(day)s
                       AND m.rule_id IN (SELECT r.id FROM callcenter_followuprule r
                                         WHERE r.tenant_id = %(tenant)s AND r.purpose = 'marketing')) THEN 'contact_cap'
        END AS skip
    FROM fresh JOIN customers_customer c ON c.id = fresh.customer_id
),
created AS (
    INSERT INTO surveys_surveyinvitation (
        tenant_id, dealer_id, template_id, kind, customer_id, vehicle_id, subject_kind, subject_id, subject_on,
        period, channel, status, expires_at, nonce, staff_id, created_at, updated_at)
    SELECT %(tenant)s, dealer_id, %(template)s, %(kind)s, customer_id, vehicle_id, subject_kind, subject_id,
           subject_on, '', %(channel)s, 'pending', %(expires)s, replace(gen_random_uuid()::text, '-', ''),
           staff_id, %(now)s, %(now)s
    FROM classified WHERE skip IS NULL
    ON CONFLICT (tenant_id, kind, subject_kind, subject_id, period) DO NOTHING
    RETURNING id, dealer_id, customer_id, vehicle_id, subject_on
)
SELECT '#created', count(*), COALESCE(array_agg(ARRAY[id, dealer_id, customer_id, COALESCE(vehicle_id, 0)]
                                                 ORDER BY id), '{{}}') FROM created
UNION ALL SELECT skip, count(*), NULL FROM classified WHERE skip IS NOT NULL GROUP BY skip
"""

EXPIRE_SQL = """
UPDATE surveys_surveyinvitation SET status = 'expired', updated_at = %(now)s
WHERE tenant_id = %(tenant)s AND status = 'pending' AND expires_at < %(now)s
"""


def _day_start(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def survey_call_rule(tenant_id: int):
    """The tenant's follow-up rule for surveys read in a call (created with the tenant)."""
    from callcenter.models import FollowUpRule

    from .defaults import SURVEY_CALL_RULE

    rule = FollowUpRule._base_manager.filter(tenant_id=tenant_id, code=SURVEY_CALL_RULE["code"]).first()
    if rule is None:
        rule = FollowUpRule._base_manager.create(tenant_id=tenant_id, **SURVEY_CALL_RULE)
    return rule


def calls_create(*, scope: Scope, rows: list, on: dt.date) -> dict:
    """Turn new invitations by call into follow-up tasks of the survey rule, and link each task back."""
    from callcenter.campaigns import followups_add

    if not rows:
        return {"created": 0, "skipped": {}, "existing": 0}
    rule = survey_call_rule(scope.tenant_id)
    subjects = [{"dealer_id": dealer, "customer_id": customer, "vehicle_id": vehicle or None, "subject_id": pk,
                 "occurrence": on} for pk, dealer, customer, vehicle in rows]
    result = followups_add(scope=scope, rule=rule, subjects=subjects, on=on)
    with connection.cursor() as cursor:
        cursor.execute("""
            UPDATE surveys_surveyinvitation i SET follow_up_id = t.id
            FROM callcenter_followuptask t
            WHERE t.rule_id = %s AND t.subject_id = i.id AND i.id = ANY(%s) AND i.follow_up_id IS NULL""",
                       [rule.pk, [row[0] for row in rows]])
    return result


def invitations_generate(*, scope: Scope, on: dt.date | None = None) -> dict:
    """Create the day's invitations of every active SSI and CSI template; returns counts per template code."""
    on = on or timezone.localdate()
    now = timezone.now()
    tz = zoneinfo.ZoneInfo(str(timezone.get_current_timezone()))
    cap = settings_for(scope.tenant_id).contact_cap_days
    report = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(EXPIRE_SQL, {"tenant": scope.tenant_id, "now": now})
            expired = cursor.rowcount
        templates = SurveyTemplate._base_manager.filter(
            tenant_id=scope.tenant_id, is_current=True, is_active=True, kind__in=list(CANDIDATES)).order_by("kind")
        for template in templates:
            hi = on - dt.timedelta(days=template.invite_after_days)
            lo = hi - dt.timedelta(days=CATCH_UP_DAYS - 1)
            valid_days = template.link_valid_days if template.channel == Channel.LINK else 7
            params = {
                "tenant": scope.tenant_id, "template": template.pk, "kind": template.kind, "now": now, "day": on,
                "lo": lo, "hi": hi, "lo_at": _day_start(lo, tz), "hi_at": _day_start(hi + dt.timedelta(days=1), tz),
                "tz": str(tz), "sample": int(round(template.sample_rate * 10000)), "channel": template.channel,
                "consent_channel": "phone" if template.channel == Channel.CALL else "sms",
                "active": [str(s) for s in ACTIVE_STATUSES], "cap_from": _day_start(on - dt.timedelta(days=cap), tz),
                "cap_day": on - dt.timedelta(days=cap),
                "expires": _day_start(on + dt.timedelta(days=valid_days + 1), tz),
            }
            with connection.cursor() as cursor:
                cursor.execute(INVITE_SQL.format(candidates=CANDIDATES[template.kind]), params)
                rows = cursor.fetchall()
            created, skipped, new_rows = 0, {}, []
            for reason, count, ids in rows:
                if reason == "#created":
                    created, new_rows = count, ids or []
                else:
                    skipped[reason] = count
            line = {"created": created, "skipped": skipped}
            if template.channel == Channel.CALL:
                line["calls"] = calls_create(scope=scope, rows=new_rows, on=on)["created"]
            report[template.code] = line
        audit(scope, "survey.invitations_generate", None, on=on.isoformat(), expired=expired, report=report)
    report["#expired"] = expired
    return report
