"""Reads of the surveys: the indices per dealer / region / tenant and month, trends, factors and gaming signals.

Aggregates read the monthly sums per dealer (surveys/rollups.py, kept by triggers on the responses), scoped, for
one template family (every version) and one month; a dealer's rank is its place among every dealer of the tenant, so a
store sees where it stands without seeing the others' figures.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Sum

from crm_site.scope import Scope

from . import scoring
from .models import SurveyFactorMonthly, SurveyMonthly, SurveyTemplate, settings_for

GROUPS = ("dealer", "region", "tenant")


def month_start(value: str | dt.date) -> dt.date:
    """'YYYY-MM' (or a date) as the first day of that month; ValueError for anything else."""
    if isinstance(value, dt.date):
        return value.replace(day=1)
    year, month = str(value).split("-")
    if len(year) != 4 or len(month) != 2:
        raise ValueError(value)
    return dt.date(int(year), int(month), 1)


def shift_month(month: dt.date, by: int) -> dt.date:
    total = month.year * 12 + month.month - 1 + by
    return dt.date(total // 12, total % 12 + 1, 1)


def templates_for(scope: Scope):
    """The current version of each template of the tenant."""
    return SurveyTemplate.objects.scoped(scope).filter(is_current=True).order_by("kind", "code")


def template_factors(scope: Scope) -> list[str]:
    """The factors the tenant's current templates name, for the editor to offer (one query)."""
    return sorted({str(q["factor"]) for questions in templates_for(scope).values_list("questions", flat=True)
                   for q in questions if isinstance(q, dict) and q.get("factor")})


def _key(group_by: str) -> str | None:
    return {"dealer": "dealer_id", "region": "dealer__region_id", "tenant": None}[group_by]


def _monthly(scope: Scope, template: SurveyTemplate, months):
    """The scope's monthly sums of the template's family for these months."""
    return SurveyMonthly.objects.scoped(scope).filter(family=template.code, month__in=list(months), responses__gt=0)


def _summed(rows, key: str) -> dict:
    """{group: the summed counts of the monthly rows, with the mean index as `idx`}, grouped by one column."""
    found = rows.values(key).annotate(
        n=Sum("responses"), idx_sum=Sum("index_sum"), idx_n=Sum("index_n"), top=Sum("top"), top_n=Sum("top_n"),
        pro=Sum("promoters"), det=Sum("detractors"), nps_n=Sum("nps_n")).order_by()
    return {row[key]: {**row, "idx": row["idx_sum"] / row["idx_n"] if row["idx_n"] else None} for row in found}


def _aggregate(scope: Scope, template: SurveyTemplate, month: dt.date, group_by: str,
               factors: list[str] | None = None) -> dict:
    """Per group: count, mean index, top-box and NPS counts, and (when named) each factor's mean, from the sums."""
    key = _key(group_by) or "tenant_id"
    out = _summed(_monthly(scope, template, [month]), key)
    for row in out.values():
        row["factors"] = {}
    if factors:
        for group, values in _factor_means(scope, template, month, group_by).items():
            if group in out:
                out[group]["factors"] = {name: values[name] for name in factors if name in values}
    return out


def _factor_means(scope: Scope, template: SurveyTemplate, month: dt.date, group_by: str,
                  dealer_id: int | None = None) -> dict:
    """{group: {factor: mean factor index}} from the monthly factor sums."""
    key = _key(group_by) or "tenant_id"
    rows = SurveyFactorMonthly.objects.scoped(scope).filter(family=template.code, month=month, n__gt=0)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    out: dict = {}
    for row in rows.values(key, "factor").annotate(total=Sum("total"), count=Sum("n")).order_by():
        if row["count"]:
            out.setdefault(row[key], {})[row["factor"]] = round(row["total"] / row["count"], 1)
    return out


def _means(scope: Scope, template: SurveyTemplate, month: dt.date, group_by: str) -> dict:
    """Per group: the mean index only (last month's, for the change)."""
    key = _key(group_by) or "tenant_id"
    rows = _monthly(scope, template, [month]).values(key).annotate(s=Sum("index_sum"), c=Sum("index_n")).order_by()
    return {row[key]: {"idx": row["s"] / row["c"] if row["c"] else None} for row in rows}


def factor_names(template: SurveyTemplate) -> list[str]:
    """The factors of every version of the template's family, in the current version's order."""
    names = []
    for version in SurveyTemplate._base_manager.filter(tenant_id=template.tenant_id, code=template.code).order_by(
            "-version").values_list("questions", flat=True):
        names += [q.get("factor") for q in version if q.get("factor") and q.get("factor") not in names]
    return names


def indices(*, scope: Scope, template: SurveyTemplate, month: dt.date, group_by: str = "dealer") -> list[dict]:
    """The §9.4 `survey-indices` rows for one template family and month, with rank and change on last month."""
    small = settings_for(scope.tenant_id).small_sample
    this = _aggregate(scope, template, month, group_by, factor_names(template))
    before = _means(scope, template, shift_month(month, -1), group_by)
    ranks = {}
    if group_by == "dealer":
        # A tenant-wide scope ranks from this very pass; a narrower one asks for every dealer's mean once.
        means = {k: r["idx"] for k, r in this.items()} if scope.is_tenant_wide else None
        ranks = _ranks(scope, template, month, means)
    names = _names(scope, group_by, set(this))
    results = []
    for name, row in this.items():
        previous = before.get(name)
        index = round(row["idx"], 1) if row["idx"] is not None else None
        change = None
        if previous and previous["idx"] is not None and index is not None:
            change = round(index - previous["idx"], 1)
        results.append({
            group_by: name, "name": names.get(name, ""), "responses": row["n"], "index": index,
            "top_box_rate": round(row["top"] / row["top_n"], 3) if row["top_n"] else None,
            "nps": scoring.nps_of(row["pro"], row["det"], row["nps_n"]),
            "factors": row["factors"], "small_sample": row["n"] < small,
            "rank": ranks.get(name, {}).get("rank"), "ranked": ranks.get(name, {}).get("of"),
            "previous_index": round(previous["idx"], 1) if previous and previous["idx"] is not None else None,
            "change": change,
        })
    results.sort(key=lambda r: (r["index"] is None, -(r["index"] or 0), r["name"]))
    return results


def _ranks(scope: Scope, template: SurveyTemplate, month: dt.date, means: dict | None = None) -> dict:
    """Each dealer's place among every dealer of the tenant that has responses this month (1 = best index)."""
    if means is None:
        with connection.cursor() as cursor:
            cursor.execute("""
                SELECT dealer_id, index_sum / NULLIF(index_n, 0) FROM surveys_surveymonthly
                WHERE tenant_id = %s AND family = %s AND month = %s AND responses > 0""",
                           [scope.tenant_id, template.code, month])
            means = dict(cursor.fetchall())
    ordered = sorted(means.items(), key=lambda item: (item[1] is None, -(item[1] or 0)))
    ranks, previous, place = {}, object(), 0
    for position, (dealer, value) in enumerate(ordered, start=1):
        if value != previous:
            place, previous = position, value
        ranks[dealer] = {"rank": place, "of": len(ordered)}
    return ranks


def dealer_rank(scope: Scope, template: SurveyTemplate, month: dt.date, dealer_id: int) -> dict | None:
    """One dealer's {"rank", "of"} among every dealer of the tenant this month (None without responses)."""
    return _ranks(scope, template, month).get(dealer_id)


def _names(scope: Scope, group_by: str, ids: set) -> dict:
    from dealers.models import Dealer, Region

    if group_by == "dealer":
        return {d.pk: f"{d.code} {d.name}" for d in Dealer.objects.scoped(scope).filter(pk__in=ids)}
    if group_by == "region":
        return dict(Region.objects.filter(tenant_id=scope.tenant_id, pk__in=ids).values_list("pk", "name"))
    return {scope.tenant_id: ""}


def trend(*, scope: Scope, template: SurveyTemplate, month: dt.date, months: int = 12,
          dealer_id: int | None = None) -> list[dict]:
    """Index, top box and NPS per month over the last `months` months (scoped; one dealer when given)."""
    first = shift_month(month, -(months - 1))
    rows = _monthly(scope, template, [shift_month(first, n) for n in range(months)])
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    found = _summed(rows, "month")
    out = []
    for n in range(months):
        m = shift_month(first, n)
        row = found.get(m)
        out.append({"month": m.strftime("%Y-%m"), "responses": row["n"] if row else 0,
                    "index": round(row["idx"], 1) if row and row["idx"] is not None else None,
                    "top_box_rate": round(row["top"] / row["top_n"], 3) if row and row["top_n"] else None,
                    "nps": scoring.nps_of(row["pro"], row["det"], row["nps_n"]) if row else None})
    return out


def factor_breakdown(*, scope: Scope, template: SurveyTemplate, month: dt.date,
                     dealer_id: int | None = None) -> list[dict]:
    """Each factor's index this month for the scope (or one dealer), in the template's order."""
    names = factor_names(template)
    values = _factor_means(scope, template, month, "tenant", dealer_id).get(scope.tenant_id, {})
    return [{"factor": f, "index": values[f]} for f in names if f in values]


def gaming_signals(*, scope: Scope, since: dt.date, network_factor: float = 2.0, min_responses: int = 5,
                   min_opens: int = 5) -> dict:
    """Signs of gaming HQ can act on, listed per dealer (DESIGN §4 closed loop; issue: not hidden).

    - staff_phone: responses whose customer's mobile is the mobile of a staff user of the same dealer;
    - all_max: consultants whose customers answered all-maximum at over `network_factor` × the network's rate;
    - shared_address: addresses that opened links of `min_opens` or more different invitations of one dealer
      (a store's own network).
    """
    from dealers.models import Dealer

    dealers = Dealer.objects.scoped(scope).values_list("pk", flat=True)
    dealer_ids = list(dealers)
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT r.dealer_id, r.id, c.mobile, u.username
            FROM surveys_surveyresponse r JOIN customers_customer c ON c.id = r.customer_id
            JOIN dealers_user u ON u.tenant_id = r.tenant_id AND u.dealer_id = r.dealer_id AND u.mobile = c.mobile
            WHERE r.tenant_id = %s AND r.dealer_id = ANY(%s) AND r.answered_at >= %s AND c.mobile <> ''
            ORDER BY r.dealer_id, r.id LIMIT 500""", [scope.tenant_id, dealer_ids, since])
        staff_phone = [{"dealer": d, "response": r, "mobile": m, "staff": u} for d, r, m, u in cursor.fetchall()]
        cursor.execute("""
            WITH net AS (SELECT avg(all_max::int) AS rate FROM surveys_surveyresponse
                         WHERE tenant_id = %s AND answered_at >= %s AND index IS NOT NULL)
            SELECT r.dealer_id, r.staff_id, u.username, count(*), avg(r.all_max::int), net.rate
            FROM surveys_surveyresponse r CROSS JOIN net LEFT JOIN dealers_user u ON u.id = r.staff_id
            WHERE r.tenant_id = %s AND r.dealer_id = ANY(%s) AND r.answered_at >= %s AND r.staff_id IS NOT NULL
              AND r.index IS NOT NULL
            GROUP BY r.dealer_id, r.staff_id, u.username, net.rate
            HAVING count(*) >= %s AND avg(r.all_max::int) > LEAST(1, GREATEST(net.rate, 0.01) * %s)
                   OR (count(*) >= %s AND avg(r.all_max::int) = 1 AND net.rate < 0.5)
            ORDER BY 5 DESC, 4 DESC LIMIT 200""",
                       [scope.tenant_id, since, scope.tenant_id, dealer_ids, since, min_responses, network_factor,
                        min_responses])
        all_max = [{"dealer": d, "staff_id": s, "staff": u or "", "responses": n, "rate": round(float(rate), 3),
                    "network_rate": round(float(net or 0), 3)} for d, s, u, n, rate, net in cursor.fetchall()]
        cursor.execute("""
            SELECT o.dealer_id, host(o.address), count(DISTINCT o.invitation_id), sum(o.count)
            FROM surveys_surveylinkopen o
            WHERE o.tenant_id = %s AND o.dealer_id = ANY(%s) AND o.last_at >= %s
            GROUP BY o.dealer_id, o.address HAVING count(DISTINCT o.invitation_id) >= %s
            ORDER BY 3 DESC LIMIT 200""", [scope.tenant_id, dealer_ids, since, min_opens])
        shared = [{"dealer": d, "address": a, "invitations": n, "opens": o} for d, a, n, o in cursor.fetchall()]
    names = {d.pk: f"{d.code} {d.name}" for d in Dealer.objects.scoped(scope).filter(
        pk__in={row["dealer"] for row in staff_phone + all_max + shared})}
    for row in staff_phone + all_max + shared:
        row["dealer_name"] = names.get(row["dealer"], "")
    return {"staff_phone": staff_phone, "all_max": all_max, "shared_address": shared}
