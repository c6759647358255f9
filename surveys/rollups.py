"""The monthly survey sums the indices read: the statements the triggers run and the full rebuild.

Triggers on surveys_surveyresponse (migration 0003) feed every inserted, updated or deleted response into
surveys_surveymonthly and surveys_surveyfactormonthly as +1 / −1 deltas, one set-based statement per SQL statement,
so a bulk load costs one aggregate, not a row-by-row trigger. The rebuild recomputes a tenant's sums from the
responses (after a restore, or to prove the sums right).
"""

from __future__ import annotations

from django.db import connection, transaction

# The sums of a delta relation `d` (columns of surveys_surveyresponse plus the sign `s`), upserted into both tables.
# Rows are locked in key order so two concurrent statements cannot deadlock on the same sums.
UPSERT = """
    , monthly AS (
        INSERT INTO surveys_surveymonthly AS t (tenant_id, dealer_id, family, kind, month, created_at, updated_at,
                                               responses, index_n, index_sum, top, top_n, promoters, detractors,
                                               nps_n)
        SELECT tenant_id, dealer_id, family, min(kind), month, now(), now(), sum(s),
               coalesce(sum(s) FILTER (WHERE index IS NOT NULL), 0), coalesce(sum(s * index), 0),
               coalesce(sum(s) FILTER (WHERE top_box), 0), coalesce(sum(s) FILTER (WHERE top_box IS NOT NULL), 0),
               coalesce(sum(s) FILTER (WHERE nps_category = 'promoter'), 0),
               coalesce(sum(s) FILTER (WHERE nps_category = 'detractor'), 0),
               coalesce(sum(s) FILTER (WHERE nps_score IS NOT NULL), 0)
        FROM d GROUP BY tenant_id, family, month, dealer_id ORDER BY tenant_id, family, month, dealer_id
        ON CONFLICT (tenant_id, family, month, dealer_id) DO UPDATE SET
            responses = t.responses + EXCLUDED.responses, index_n = t.index_n + EXCLUDED.index_n,
            index_sum = t.index_sum + EXCLUDED.index_sum, top = t.top + EXCLUDED.top,
            top_n = t.top_n + EXCLUDED.top_n, promoters = t.promoters + EXCLUDED.promoters,
            detractors = t.detractors + EXCLUDED.detractors, nps_n = t.nps_n + EXCLUDED.nps_n,
            updated_at = EXCLUDED.updated_at
        RETURNING 1)
    INSERT INTO surveys_surveyfactormonthly AS t (tenant_id, dealer_id, family, kind, month, factor, created_at,
                                                 updated_at, n, total)
    SELECT d.tenant_id, d.dealer_id, d.family, min(d.kind), d.month, f.key, now(), now(), sum(d.s),
           sum(d.s * f.value::float)
    FROM d CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(d.factors) = 'object' THEN d.factors
                                                   ELSE '{}'::jsonb END) AS f
    WHERE f.value IS NOT NULL
    GROUP BY d.tenant_id, d.family, d.month, d.dealer_id, f.key ORDER BY d.tenant_id, d.family, d.month, d.dealer_id, f.key
    ON CONFLICT (tenant_id, family, month, dealer_id, factor) DO UPDATE SET
        n = t.n + EXCLUDED.n, total = t.total + EXCLUDED.total, updated_at = EXCLUDED.updated_at"""

COLUMNS = "tenant_id, dealer_id, family, kind, month, index, top_box, nps_category, nps_score, factors"


def _columns(alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in COLUMNS.split(", "))


# What a changed row moves: its old values out, its new ones in; an update that touches no scored column (an
# erasure clearing text answers, a complaint linked) moves nothing.
CHANGED = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}" for c in COLUMNS.split(", "))

# Built from the constant column names above only (no input reaches these strings).
DELTAS = {
    "INSERT": f"WITH d AS (SELECT {COLUMNS}, 1 AS s FROM new_rows)",  # noqa: S608
    "DELETE": f"WITH d AS (SELECT {COLUMNS}, -1 AS s FROM old_rows)",  # noqa: S608
    "UPDATE": f"""WITH changed AS (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {CHANGED}),
                  d AS (SELECT {_columns('n')}, 1 AS s FROM new_rows n JOIN changed USING (id)
                        UNION ALL SELECT {_columns('o')}, -1 FROM old_rows o JOIN changed USING (id))""",  # noqa: S608
}


def trigger_function_sql() -> str:
    """The plpgsql function every response trigger calls, one branch per operation."""
    branches = "\n".join(
        f"    {'IF' if n == 0 else 'ELSIF'} TG_OP = '{op}' THEN\n        {delta}\n{UPSERT};"
        for n, (op, delta) in enumerate(DELTAS.items()))
    return f"""
CREATE OR REPLACE FUNCTION surveys_response_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{branches}
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS surveys_response_rollup_ins ON surveys_surveyresponse;
DROP TRIGGER IF EXISTS surveys_response_rollup_upd ON surveys_surveyresponse;
DROP TRIGGER IF EXISTS surveys_response_rollup_del ON surveys_surveyresponse;
CREATE TRIGGER surveys_response_rollup_ins AFTER INSERT ON surveys_surveyresponse
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION surveys_response_rollup();
CREATE TRIGGER surveys_response_rollup_upd AFTER UPDATE ON surveys_surveyresponse
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION surveys_response_rollup();
CREATE TRIGGER surveys_response_rollup_del AFTER DELETE ON surveys_surveyresponse
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION surveys_response_rollup();
"""


DROP_SQL = """
DROP TRIGGER IF EXISTS surveys_response_rollup_ins ON surveys_surveyresponse;
DROP TRIGGER IF EXISTS surveys_response_rollup_upd ON surveys_surveyresponse;
DROP TRIGGER IF EXISTS surveys_response_rollup_del ON surveys_surveyresponse;
DROP FUNCTION IF EXISTS surveys_response_rollup();
"""


@transaction.atomic
def survey_rollups_rebuild(*, tenant_id: int) -> int:
    """Recompute the tenant's monthly sums from its responses; returns the monthly rows written."""
    with connection.cursor() as cursor:
        # The responses are locked against writers so no delta lands between the delete and the insert.
        cursor.execute("LOCK TABLE surveys_surveyresponse IN SHARE MODE")
        cursor.execute("DELETE FROM surveys_surveyfactormonthly WHERE tenant_id = %s", [tenant_id])
        cursor.execute("DELETE FROM surveys_surveymonthly WHERE tenant_id = %s", [tenant_id])
        fill = f"WITH d AS (SELECT {COLUMNS}, 1 AS s FROM surveys_surveyresponse WHERE tenant_id = %s)"  # noqa: S608
        cursor.execute(fill + UPSERT, [tenant_id])
        cursor.execute("SELECT count(*) FROM surveys_surveymonthly WHERE tenant_id = %s", [tenant_id])
        return cursor.fetchone()[0]
