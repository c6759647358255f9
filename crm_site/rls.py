"""PostgreSQL row-level security: the fail-closed backstop under the scope (DESIGN §2, second layer).

Every table with a `tenant_id` column gets a policy that shows a row only when its tenant equals the
transaction's `crm.tenant_id` setting. The policy binds the application role (`DATABASE_APP_ROLE`, default
`crm_app`), which owns no table and cannot bypass it. Authentication runs as the connecting user (it must find
the token before the tenant is known); once a request's scope is resolved, or a scoped task starts, the
connection switches to the application role with that tenant, and switches back when the request or task ends.
So a query that forgot the scope still cannot read or write another tenant's rows.
"""

from __future__ import annotations

import logging
import re

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

POLICY = "crm_tenant_isolation"
# Shared tables without a tenant the application role must not touch: pghistory's context table (the change history
# keeps its context on each tenant's own event rows instead, crm_site.history).
UNGRANTED_TABLES = ("pghistory_context",)


def app_role() -> str:
    """The restricted role's name ('' turns the backstop off), checked to be a plain identifier."""
    role = getattr(settings, "DATABASE_APP_ROLE", "")
    if role and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"DATABASE_APP_ROLE {role!r} is not a plain lower-case identifier")
    return role


def tenant_tables() -> list[str]:
    """Tables of every installed model that stores a tenant id."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        field_names = {f.column for f in model._meta.concrete_fields}
        if "tenant_id" in field_names and not model._meta.proxy and model._meta.managed:
            tables.add(model._meta.db_table)
    return sorted(tables)


def install(using: str = "default", **kwargs) -> None:
    """Create the application role, grant it the tables, and put the tenant policy on every tenant table."""
    role = app_role()
    if not role or connection.vendor != "postgresql":
        return
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOBYPASSRLS')
        cursor.execute(f'GRANT "{role}" TO CURRENT_USER')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
        cursor.execute(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        for table in UNGRANTED_TABLES:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            if cursor.fetchone()[0]:
                cursor.execute(f'REVOKE ALL ON "{table}" FROM "{role}"')
        for table in tenant_tables():
            cursor.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
            cursor.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
            cursor.execute(
                f'CREATE POLICY {POLICY} ON "{table}" TO "{role}" '
                "USING (tenant_id = NULLIF(current_setting('crm.tenant_id', true), '')::bigint)"
            )


def enter(tenant_id: int) -> bool:
    """Restrict this connection to one tenant under the application role; False when already restricted or off."""
    role = app_role()
    if not role or restricted():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('crm.tenant_id', %s, false), set_config('role', %s, false)",
                       [str(int(tenant_id)), role])
    entered(tenant_id)
    return True


def entering(tenant_column: str) -> tuple[str, list]:
    """Select-list items that restrict the connection to the tenant of the row a statement finds, and their params.

    Authentication finds its token and enters the token's tenant in one round trip: the items run only for a row
    that passes the statement's conditions, so no row leaves the connection as it was. ('', []) when off or
    already restricted; call entered() with the row's tenant once a row came back.
    """
    role = app_role()
    if not role or restricted():
        return "", []
    return f", set_config('crm.tenant_id', ({tenant_column})::text, false), set_config('role', %s, false)", [role]


def entered(tenant_id: int) -> None:
    """Record that this connection now runs restricted to a tenant (so enter() is not repeated)."""
    connection.crm_rls_tenant = tenant_id


def restricted() -> bool:
    """Whether this connection currently runs restricted to a tenant."""
    return getattr(connection, "crm_rls_tenant", None) is not None


def leave() -> None:
    """Give the connection back its own role and no tenant (after a request or a task)."""
    if not restricted():
        return
    connection.crm_rls_tenant = None
    if connection.connection is None:
        return  # closed: a new connection starts unrestricted anyway
    try:
        with connection.cursor() as cursor:
            # 'none' is RESET ROLE; one statement, so one round trip.
            cursor.execute("SELECT set_config('role', 'none', false), set_config('crm.tenant_id', '', false)")
    except DatabaseError:
        # An aborted transaction rolls the SET back by itself; a broken connection is replaced.
        logger.warning("could not reset the row-level security role", exc_info=True)


def leave_after_request(**kwargs) -> None:
    """request_started / request_finished receiver."""
    leave()
