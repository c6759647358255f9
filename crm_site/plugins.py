"""The records an app registers with the core (`crm_site.registry`), and the calls that register them.

An app's `AppConfig.ready()` calls these; each checks its entry, so a mistake fails at start-up, not on a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from django.db import models
from django.utils.functional import Promise

from .access import Permission, allowed
from .registry import registry


@dataclass(frozen=True)
class MenuItem:
    """One navigation entry: a label, the URL name it opens, who sees it (None: every staff role), its place."""

    label: str | Promise
    url_name: str
    # A Permission, a tuple of them (any), or anything with `allows(scope)`; None: every staff role.
    permission: Permission | tuple | None = None
    order: int = 100
    # Not shown to holders of this permission: they have an entry of their own for the same thing.
    unless: Permission | None = None

    def shown_to(self, scope) -> bool:
        """Whether the entry is in this scope's menu."""
        return allowed(self.permission, scope) and not (self.unless is not None and self.unless.allows(scope))


@dataclass(frozen=True)
class Widget:
    """A landing-page panel: a template, its context for a request and scope, and who sees it."""

    code: str
    title: str | Promise
    template: str
    context: Callable[[Any, Any], dict]
    permission: Permission | None = None
    order: int = 100


@dataclass(frozen=True)
class TenantDefault:
    """Something every new tenant starts with (rules, templates, categories), created by tenant_create."""

    name: str
    create: Callable[[Any], None]


@dataclass(frozen=True)
class DemoData:
    """What an app adds to the demo tenant on the first start: `fill(tenant, log)` writes it, set-based."""

    name: str
    fill: Callable[[Any, Callable[[str], None]], None]


@dataclass(frozen=True)
class MergeParticipant:
    """A customer foreign key an app owns: a merge moves its rows from the duplicate onto the survivor.

    A data-subject export and erase reach the same rows: `move(survivor, merged) -> int` replaces the plain UPDATE
    where rows need care (a unique pair, say); `related(customer) -> {key: queryset}` names rows that hang off this
    participant's rows (a complaint's events and attachments) for the export; `erase(customer) -> {key: count}`
    clears personal text the common free-text fields do not name (text answers inside JSON, event notes, files).
    """

    key: str
    model: type[models.Model]
    field: str
    move: Callable[[Any, Any], int] | None = None
    related: Callable[[Any], dict] | None = None
    erase: Callable[[Any], dict] | None = None

    def run(self, survivor, merged) -> int:
        """Move the duplicate's rows; returns how many moved."""
        if self.move is not None:
            return self.move(survivor, merged)
        return self.model._base_manager.filter(
            tenant_id=survivor.tenant_id, **{self.field: merged}).update(**{self.field: survivor})


@dataclass(frozen=True)
class CustomerPanel:
    """A section of the customer 360: the core reads `model` through the scope, `query` narrows it to the customer."""

    code: str
    template: str
    model: type[models.Model]
    query: Callable[[models.QuerySet, Any], models.QuerySet]
    order: int = 100

    def rows(self, scope, customer) -> list:
        """This panel's rows for the customer, as the scope may see them."""
        return list(self.query(self.model.objects.scoped(scope), customer))


@dataclass(frozen=True)
class CustomerFinder:
    """A kind of search-box key another app resolves (a VIN, a plate): the customers it names, and walk-ins.

    `customers(scope, kind, value)` is a condition on customers; `walk_ins(scope, kind, value, limit)` lists
    `customers.selectors.WalkIn`s of the whole tenant; `prefetch(scope)` adds what the results show of each customer.
    """

    kinds: frozenset[str]
    customers: Callable[[Any, str, str], Any]
    walk_ins: Callable[[Any, str, str, int], list]
    prefetch: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class TimelineSource:
    """One kind of event on the customer 360: the core reads `model` through the scope, `query` narrows it.

    `query(queryset, customer)` returns the customer's rows; `event(row)` turns one into a `TimelineEvent`.
    """

    kind: str
    label: str | Promise
    model: type[models.Model]
    query: Callable[[models.QuerySet, Any], models.QuerySet]
    event: Callable[[Any], Any]
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CallSection:
    """A part of the call screen that another app adds for some follow-up tasks (a survey read in the call).

    `applies(task)` says whether the task gets it; `template` is rendered inside the outcome form with
    `section` = `context(scope, task, data, errors)` (data: the posted form or None); `save(scope, task, data,
    outcome)` runs after the outcome is recorded, in the same transaction, and raises a ValidationError with field
    errors to refuse it (then nothing is saved and the page shows the errors with what was typed).
    """

    code: str
    applies: Callable[[Any], bool]
    template: str
    context: Callable[[Any, Any, Any, dict], dict]
    save: Callable[[Any, Any, Any, str], None]


def register_call_sections(*sections: CallSection) -> None:
    """Add parts to the call-center call screen."""
    registry["call_sections"].extend(sections)


@dataclass(frozen=True)
class DataPurge:
    """What an app removes once its keeping period has passed: `purge(tenant_id, before) -> rows`, set-based.

    `period` names the DataRetention field in months that sets `before` (a datetime) for the tenant.
    """

    name: str
    period: str
    purge: Callable[[int, Any], int]


def register_data_purges(*purges: DataPurge) -> None:
    """Add what the nightly purge removes."""
    registry["data_purges"].extend(purges)


@dataclass(frozen=True)
class HistorySubject:
    """A tracked model with a history panel (`/history/<key>/<pk>/`), read through the model's scope.

    `event_model` is its pghistory event model; `related` names other event models with the field that points at
    the object (a customer's consents). `permission`, when set, is needed besides seeing the object. `masks(scope)`
    returns column → function giving a value as this viewer may see it (a masked mobile); `labels` renames columns (and a related model, by its label).
    `customer_field` is the event model's column naming the customer and `personal_fields` what an erasure of that
    customer overwrites in every event with the erased row's values.
    """

    key: str
    model: type[models.Model]
    event_model: type[models.Model]
    related: tuple[tuple[type[models.Model], str], ...] = ()
    permission: Permission | tuple[Permission, ...] | None = None
    masks: Callable[[Any], dict[str, Callable[[Any], str]]] | None = None
    labels: dict[str, Any] = field(default_factory=dict)
    customer_field: str = ""
    personal_fields: tuple[str, ...] = ()


def register_history_subjects(*subjects: HistorySubject) -> None:
    """Give tracked models their history panel; a key used twice is refused."""
    for subject in subjects:
        if subject.key in registry["history_subjects"]:
            raise ValueError(f"History subject {subject.key!r} is registered twice.")
        registry["history_subjects"][subject.key] = subject


def register_permissions(module: ModuleType) -> list[Permission]:
    """Register every Permission an app's access module defines; a code used twice is refused."""
    found = [value for value in vars(module).values() if isinstance(value, Permission)]
    for perm in found:
        known = registry["permissions"].get(perm.code)
        if known is not None and known is not perm:
            raise ValueError(f"Permission {perm.code!r} is defined twice.")
        registry["permissions"][perm.code] = perm
    return found


def register_menu(*items: MenuItem) -> None:
    """Add navigation entries."""
    registry["menu"].extend(items)
    registry["menu"].sort(key=lambda item: item.order)


def register_widgets(*widgets: Widget) -> None:
    """Add landing-page widgets."""
    registry["dashboard_widgets"].extend(widgets)
    registry["dashboard_widgets"].sort(key=lambda widget: widget.order)


def register_tenant_defaults(*defaults: TenantDefault) -> None:
    """Add what a new tenant is created with."""
    registry["tenant_defaults"].extend(defaults)


def register_demo_data(*entries: DemoData) -> None:
    """Add what an app puts into the demo tenant."""
    registry["demo_data"].extend(entries)


def register_merge_participants(*participants: MergeParticipant) -> None:
    """Add customer foreign keys a merge must move; a key used twice is refused."""
    keys = {p.key for p in registry["merge_participants"]}
    for participant in participants:
        if participant.key in keys:
            raise ValueError(f"Merge participant {participant.key!r} is registered twice.")
        keys.add(participant.key)
        registry["merge_participants"].append(participant)


def register_timeline_sources(*sources: TimelineSource) -> None:
    """Add customer 360 timeline sources."""
    registry["timeline_sources"].extend(sources)


def register_customer_finders(*finders: CustomerFinder) -> None:
    """Add keys the customer search box understands."""
    registry["customer_finders"].extend(finders)


def register_customer_panels(*panels: CustomerPanel) -> None:
    """Add sections to the customer 360 page."""
    registry["customer_panels"].extend(panels)
    registry["customer_panels"].sort(key=lambda panel: panel.order)


def register_import_kinds(*kinds: Iterable) -> None:
    """Add import/export kinds (`crm_site.imports.kinds.ImportKind`); a key used twice is refused."""
    for kind in kinds:
        if kind.key in registry["import_kinds"]:
            raise ValueError(f"Import kind {kind.key!r} is registered twice.")
        registry["import_kinds"][kind.key] = kind
