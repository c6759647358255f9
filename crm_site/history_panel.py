"""The history panel of a tracked object: who, when, through what and what changed (field, old → new), newest first.

One query reads the object's events with their diffs (pghistory's `Events`, which unions the event tables and
compares each event with the one before it for the same row), one more names the acting users, and one per
related model names the foreign keys shown; the count does not grow with the rows. Values are shown as the viewer
may see them on the object's page (the subject's masks); another tenant's events never come back (the object is
read through its scope first, and row-level security covers the event tables).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pghistory.models import Events

from .history import CHANNEL_LABELS, COMMAND, IMPORT, TASK
from .plugins import HistorySubject
from .scope import Scope

PAGE = 20  # entries per "show more"
MAX_LIMIT = 1000
LONG_TEXT = 200  # characters of a long value shown in the panel, the rest marked with "…"
HIDDEN_COLUMNS = {"id", "tenant_id"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: Any
    what: str
    actor: str
    channel: str
    changes: list[Change] = field(default_factory=list)


def _columns(event_model) -> dict[str, models.Field]:
    return {f.column: f for f in event_model._meta.concrete_fields
            if not f.column.startswith("pgh_") and f.column not in HIDDEN_COLUMNS}


def _events(subject: HistorySubject, obj, limit: int) -> list:
    """The newest `limit + 1` events of the object and of the rows related to it, with their diffs (one query)."""
    own = subject.event_model._meta.label
    if subject.related:
        events = Events.objects.references(obj).across(subject.event_model, *(m for m, _f in subject.related))
        wanted = models.Q(pgh_model=own, pgh_obj_id=str(obj.pk)) | models.Q(
            pgh_model__in=[m._meta.label for m, _f in subject.related])
        events = events.filter(wanted)
    else:
        events = Events.objects.tracks(obj).across(subject.event_model)
    return list(events.order_by("-pgh_created_at", "-pgh_id")[: limit + 1])


def _text(value) -> str:
    text = str(value)
    return text if len(text) <= LONG_TEXT else f"{text[:LONG_TEXT]}…"


def _shown(column: str, fld: models.Field, value, masks: dict, names: dict) -> str:
    """A stored value (as JSON from the event row) the way the viewer may see it."""
    if value is None or value == "":
        return "—"
    if column in masks:
        return masks[column](value)
    if fld.is_relation:
        return names.get((fld.related_model, value), f"#{value}")
    if fld.choices:
        return str(dict(fld.flatchoices).get(value, value))
    if isinstance(fld, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(fld, models.DateTimeField):
        moment = parse_datetime(str(value))
        return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else str(value)
    if isinstance(fld, models.DateField):
        day = parse_date(str(value))
        return date_format(day, "Y-m-d") if day else str(value)
    if isinstance(fld, models.JSONField):
        return _text(json.dumps(value, ensure_ascii=False))
    return _text(value)


def _changes_of(event, columns: dict) -> list[tuple[str, Any, Any]]:
    """(column, old, new) of an event: the diff of an update, the values set by an insert."""
    if event.pgh_label == "update":
        return [(c, pair[0], pair[1]) for c, pair in (event.pgh_diff or {}).items() if c in columns]
    if event.pgh_label == "insert":
        return [(c, None, v) for c, v in (event.pgh_data or {}).items()
                if c in columns and v not in (None, "", [], {}, False)]
    return []


def _related_names(scope: Scope, wanted: dict[type, set]) -> dict[tuple[type, Any], str]:
    """Names of the foreign keys shown, one query per related model, each read through its scope when it has one."""
    names = {}
    for model, ids in wanted.items():
        manager = model._default_manager
        rows = manager.scoped(scope) if hasattr(manager, "scoped") else model._base_manager.all()
        for row in rows.filter(pk__in=ids):
            names[(model, row.pk)] = str(row)
    return names


def _actor(scope: Scope, context: dict, users: dict) -> str:
    """Who made the change, as this viewer may know it: a dealer's staff see other dealers' people by kind only."""
    if not context or not (context.get("user") or context.get("api_client")):
        return _("system")
    dealer = context.get("dealer")
    if scope.dealer_ids is not None and dealer not in scope.dealer_ids:
        return _("another dealer") if dealer else _("headquarters")
    if context.get("api_client"):
        return context.get("actor") or _("API client #%(id)s") % {"id": context["api_client"]}
    return users.get(context["user"]) or context.get("actor") or f"#{context['user']}"


def _channel(context: dict) -> str:
    """Through what the change came: the page path, the API, an import job, a task or a command."""
    if not context or not context.get("channel"):
        return _("directly in the database")
    kind = context["channel"]
    label = str(CHANNEL_LABELS.get(kind, kind))
    detail = {IMPORT: context.get("import_job") and _("job #%(id)s") % {"id": context["import_job"]},
              TASK: context.get("task"), COMMAND: context.get("command")}.get(kind, context.get("path"))
    return f"{label} {detail}" if detail else label


def history_entries(*, scope: Scope, subject: HistorySubject, obj, limit: int = PAGE) -> tuple[list[Entry], bool]:
    """The object's history as the scope may see it, newest first: the first `limit` entries and whether more exist."""
    limit = max(1, min(limit, MAX_LIMIT))
    events = _events(subject, obj, limit)
    more = len(events) > limit
    events = events[:limit]
    by_label = {subject.event_model._meta.label: subject.event_model, **{m._meta.label: m for m, _f in subject.related}}
    columns = {label: _columns(model) for label, model in by_label.items()}
    masks = subject.masks(scope) if subject.masks else {}
    wanted: dict[type, set] = {}
    user_ids = set()
    for event in events:
        cols = columns[event.pgh_model]
        for column, old, new in _changes_of(event, cols):
            if cols[column].is_relation and column not in masks:
                wanted.setdefault(cols[column].related_model, set()).update(v for v in (old, new) if v is not None)
        if (event.pgh_context or {}).get("user"):
            user_ids.add(event.pgh_context["user"])
    names = _related_names(scope, wanted)
    users = {u.pk: str(u) for u in get_user_model()._base_manager.filter(pk__in=user_ids)} if user_ids else {}
    entries = []
    for event in events:
        model = by_label[event.pgh_model]
        cols = columns[event.pgh_model]
        verb = {"insert": pgettext("history", "created"), "update": pgettext("history", "changed"),
                "delete": pgettext("history", "deleted")}.get(event.pgh_label, event.pgh_label)
        tracked = model.pgh_tracked_model._meta
        what = verb if model is subject.event_model else f"{subject.labels.get(tracked.label) or tracked.verbose_name}: {verb}"
        changes = [Change(label=str(subject.labels.get(column) or cols[column].verbose_name),
                          old=_shown(column, cols[column], old, masks, names),
                          new=_shown(column, cols[column], new, masks, names))
                   for column, old, new in _changes_of(event, cols)]
        entries.append(Entry(at=event.pgh_created_at, what=what, actor=_actor(scope, event.pgh_context, users),
                             channel=_channel(event.pgh_context), changes=changes))
    return entries, more
