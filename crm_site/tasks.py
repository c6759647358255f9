"""Celery base task: work on behalf of a scope, handed over explicitly, or not at all."""

from __future__ import annotations

from celery import Task

from .scope import Scope, ScopeError, tenant_model


class ScopedTask(Task):
    """A task whose first keyword argument `scope` (a dict from Scope.as_task_args) is required.

    The task body receives a `Scope` object; calling or queueing without one raises ScopeError, so
    a task can never silently run over every tenant.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        scope = Scope.from_task_args(kwargs.get("scope"))
        kwargs["scope"] = scope
        from . import history, rls

        entered = rls.enter(scope.tenant_id)
        try:
            with history.channel(channel=history.TASK, task=self.name.rsplit(".", 1)[-1], **history.scope_metadata(scope)):
                return super().__call__(*args, **kwargs)
        finally:
            if entered:
                rls.leave()

    def apply_async(self, args=None, kwargs=None, **options):
        scope = (kwargs or {}).get("scope")
        if isinstance(scope, Scope):
            kwargs = {**kwargs, "scope": scope.as_task_args()}
        elif not isinstance(scope, dict):
            raise ScopeError(f"{self.name} needs scope=... (a Scope) to be queued.")
        return super().apply_async(args=args, kwargs=kwargs, **options)


def for_each_tenant(task: ScopedTask, **kwargs) -> int:
    """Queue a scoped task once per active tenant with the system scope (for beat schedules); returns the count."""
    tenant_ids = list(tenant_model().objects.filter(is_active=True).values_list("pk", flat=True))
    for tenant_id in tenant_ids:
        task.delay(scope=Scope.system(tenant_id), **kwargs)
    return len(tenant_ids)
