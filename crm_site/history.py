"""Change history (issue 14, DESIGN §7): every change of a tracked row kept with who, when and through what.

The database records it (django-pghistory triggers, so no code path can forget): each tracked model has an event
table in its own app with a copy of the tracked fields, its `tenant_id` (so row-level security applies to it) and
the context of the change as JSON on the event row itself (`pgh_context`: user or API client, channel, page path,
import job, task or command). The context is never written to pghistory's shared context table, which has no
tenant and would be readable across tenants.

Channels: a page (`web`, with its path), the API (`api`), an API batch (`bulk`), a file import (`import`, with the
job), a Celery task (`task`) and a management command (`command`); a change made outside all of them (a shell, a
migration) has no context and shows as made in the database.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pghistory
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy as _

WEB, API, BULK, IMPORT, TASK, COMMAND = "web", "api", "bulk", "import", "task", "command"
CHANNEL_LABELS = {
    WEB: _("page"),
    API: _("API"),
    BULK: _("API batch"),
    IMPORT: _("file import"),
    TASK: _("background task"),
    COMMAND: _("command"),
}

# Never part of an event: the row's own timestamps (the event has its own) would make every save a change.
UNTRACKED = ("created_at", "updated_at")


def track(*, model_name: str, exclude: tuple[str, ...] = ()):
    """The house's pghistory tracker: insert, update and delete events, context as JSON on the event row."""
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=[*UNTRACKED, *exclude],
        model_name=model_name,
        obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+"),
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
    )


@contextlib.contextmanager
def channel(**metadata: Any):
    """Changes made inside are recorded with this context (added to any outer one, which is restored after)."""
    with pghistory.context() as ctx:
        saved = dict(ctx.metadata)
        ctx.metadata.update(metadata)
        try:
            yield ctx
        finally:
            ctx.metadata.clear()
            ctx.metadata.update(saved)


def scope_metadata(scope) -> dict[str, Any]:
    """Who is acting, as the history keeps it: the user or API client and the one dealer they act for."""
    return {"user": scope.user_id, "api_client": scope.api_client_id, "dealer": scope.single_dealer_id,
            "role": scope.role}


def attach_scope(request, scope) -> None:
    """Name who is acting in the request's history context, once the scope is known (DRF authenticates late)."""
    actor = getattr(request, "auth", None) if scope.is_api_client else getattr(request, "user", None)
    # pghistory.context() outside an entered context does nothing: a request the middleware skipped stays as it is.
    pghistory.context(**scope_metadata(scope), actor=str(actor or "")[:100])


@contextlib.contextmanager
def set_once_per_transaction():
    """Inside: the context is set once for the transaction, and statements go to the database unchanged.

    pghistory puts its context in front of every writing statement, which a cursor that binds parameters on the
    server (one statement per call: the set-based batches) refuses. Set transaction-locally once instead, the
    triggers read the same settings.
    """
    from django.db import connection, transaction
    from pghistory import runtime

    with transaction.atomic(), pghistory.context() as ctx:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pghistory.context_id', %s, true), "
                           "set_config('pghistory.context_metadata', %s, true)",
                           [str(ctx.id), json.dumps(ctx.metadata, cls=DjangoJSONEncoder)])
        wrappers = connection.execute_wrappers
        saved = list(wrappers)
        wrappers[:] = [w for w in wrappers if w is not runtime._inject_history_context]
        try:
            yield
        finally:
            wrappers[:] = saved


class HistoryContextMiddleware:
    """Every request's changes carry their channel (page or API) and path; the scope adds who (attach_scope)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        # The path only, never the query string (a search for a mobile must not end up in the history).
        with pghistory.context(channel=API if api else WEB, path=request.path[:200], method=request.method):
            return self.get_response(request)


def event_models() -> list:
    """Every tracked model's event table that stores a tenant (all of ours do)."""
    from pghistory.core import event_models as all_event_models

    return [model for model in all_event_models() if "tenant_id" in {f.attname for f in model._meta.fields}]


def purge_events(tenant_id: int, before) -> int:
    """Events older than the tenant's keeping period, one DELETE per event table (crm_site.purge)."""
    # Nothing points at an event row, so each delete() is one plain DELETE … WHERE (no rows loaded).
    return sum(model._base_manager.filter(tenant_id=tenant_id, pgh_created_at__lt=before).delete()[0]
               for model in event_models())


def _erased_values(subject):
    """For each personal field, the live row's value now (the erasure has blanked it), else a blank."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    live = subject.model._base_manager.filter(pk=OuterRef("pgh_obj_id"))
    values = {}
    for name in subject.personal_fields:
        now = Subquery(live.values(name)[:1])
        values[name] = now if subject.event_model._meta.get_field(name).null else Coalesce(now, Value(""))
    return values


def erase_customer_history(tenant_id: int, customer_id: int) -> dict[str, int]:
    """An erased person's history keeps no old personal data: every event about them takes the erased values.

    Called by the erasure in its transaction, after the live rows were anonymised; the erasure's own update events
    already carry the blank values, and the earlier ones (the "old" side of every diff) are overwritten here.
    """
    from .registry import registry

    done = {}
    for subject in registry["history_subjects"].values():
        if subject.customer_field and subject.personal_fields:
            rows = subject.event_model._base_manager.filter(tenant_id=tenant_id, **{subject.customer_field: customer_id})
            done[subject.key] = rows.update(**_erased_values(subject))
    return done


def customer_events(tenant_id: int, customer_id: int) -> list[dict]:
    """The change history about one customer, for their data-subject export (context included, oldest first)."""
    from .registry import registry

    rows = []
    for subject in registry["history_subjects"].values():
        models = [(subject.event_model, subject.customer_field)] if subject.customer_field else []
        models += [(model, f"{field}_id") for model, field in subject.related]
        for model, column in models:
            events = model._base_manager.filter(tenant_id=tenant_id, **{column: customer_id}).order_by("pgh_id")
            for event in events:
                # Keyed hashes are look-up keys, not data about the person (the export leaves them out everywhere).
                data = {f.attname: getattr(event, f.attname) for f in model._meta.concrete_fields
                        if not f.attname.startswith("pgh_") and not f.attname.endswith("_hash")}
                rows.append({"table": model.pgh_tracked_model._meta.label, "event": event.pgh_label,
                             "at": event.pgh_created_at.isoformat(), "context": event.pgh_context or {},
                             "object_id": event.pgh_obj_id, "data": data})
    rows.sort(key=lambda row: row["at"])
    return json.loads(json.dumps(rows, cls=DjangoJSONEncoder))  # JSON-safe, as the rest of the export
