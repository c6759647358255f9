"""Follow-up tasks for a chosen list of subjects (a scorecard's "call them", a win-back campaign), set-based.

The same statement as the daily generation classifies each subject (do-not-call, consent, scrapped, merged away,
no mobile, an open task of the rule) and inserts the rest once per rule × subject × occurrence.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.models import audit
from crm_site.scope import Scope

from .choices import SkipReason
from .generation import GENERATE_SQL
from .models import FollowUpRule

LISTED = """
    SELECT dealer_id, customer_id, vehicle_id, subject_id, occurrence, %(day)s::date
    FROM unnest(%(dealers)s::bigint[], %(customers)s::bigint[], %(vehicles)s::bigint[], %(subjects)s::bigint[],
                %(occurrences)s::date[]) AS s(dealer_id, customer_id, vehicle_id, subject_id, occurrence)"""

MAX_SUBJECTS = 100_000


def followups_add(*, scope: Scope, rule: FollowUpRule, subjects: list[dict], on: dt.date | None = None,
                  campaign_id: int | None = None) -> dict:
    """Create the rule's tasks for these subjects, due `on` (default today); returns created, existing, skipped.

    Each subject is {"dealer_id", "customer_id", "vehicle_id" (or None), "subject_id", "occurrence"}; dealers
    outside the scope are refused, not dropped.
    """
    on = on or timezone.localdate()
    if rule.tenant_id != scope.tenant_id:
        raise ValidationError({"rule": [_("Unknown rule.")]})
    if len(subjects) > MAX_SUBJECTS:
        raise ValidationError(_("At most %(n)s customers at once.") % {"n": f"{MAX_SUBJECTS:,}"})
    outside = {s["dealer_id"] for s in subjects if not scope.sees_dealer(s["dealer_id"])}
    if outside:
        raise ValidationError({"dealer": [_("Some customers belong to dealers outside your scope.")]})
    params = {
        "tenant": scope.tenant_id, "rule": rule.pk, "queue": rule.queue, "worked_by": rule.worked_by,
        "purpose": rule.purpose, "offset": 0, "window": rule.due_window_days, "priority": rule.priority,
        "now": timezone.now(), "day": on,
        "dealers": [s["dealer_id"] for s in subjects], "customers": [s["customer_id"] for s in subjects],
        "vehicles": [s.get("vehicle_id") for s in subjects], "subjects": [s["subject_id"] for s in subjects],
        "occurrences": [s.get("occurrence") or on for s in subjects],
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(GENERATE_SQL.format(candidates=LISTED), params)
        counts = dict(cursor.fetchall())
        created, candidates = counts.pop("#created", 0), counts.pop("#candidates", 0)
        if campaign_id is not None and created:
            cursor.execute("UPDATE callcenter_followuptask SET campaign_id = %s WHERE rule_id = %s AND "
                           "subject_id = ANY(%s) AND occurrence = ANY(%s) AND campaign_id IS NULL",
                           [campaign_id, rule.pk, params["subjects"], list(set(params["occurrences"]))])
        skipped = {reason: counts[reason] for reason in SkipReason.values if counts.get(reason)}
        result = {"created": created, "skipped": skipped,
                  "existing": max(0, candidates - created - sum(skipped.values()))}
        audit(scope, "followup.add", rule, **result, subjects=len(subjects))
    return result
