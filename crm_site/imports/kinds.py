"""What can be imported and exported: the kinds the domain apps register (`registry["import_kinds"]`).

A kind names its columns (Chinese and English headers), who may import and export it (named permissions of the
app's access.py), the handler that writes one row (and optionally a set-based handler for a whole chunk), and the
scoped rows of its export. The engine imports no domain app: it only reads these records.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, ngettext

from crm_site.access import Permission
from crm_site.registry import registry
from crm_site.scope import Scope

from .messages import entry, render

if TYPE_CHECKING:
    from .values import RowReader

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    """One column of a file; the Chinese and English headers are both accepted, whatever the page language."""

    key: str
    zh: str
    en: str
    required: bool = False
    help: str | Promise = ""
    aliases: tuple[str, ...] = ()

    def label(self) -> str:
        """The header in the active language (the file format is bilingual, so this is not a catalogue lookup)."""
        return self.zh if (get_language() or "zh").startswith("zh") else self.en

    def names(self) -> set[str]:
        """Every header spelling that means this column, normalised."""
        return {normalize_header(n) for n in (self.zh, self.en, self.key, *self.aliases)}


def normalize_header(value) -> str:
    """Fold width and case, drop spaces, underscores, '*' marks and a unit in brackets: "手机号 *" → "手机号"."""
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    return re.sub(r"[\s_\-*:.]", "", text)


# The columns an error report adds around the uploaded ones: a corrected report imports back as it is.
REPORT_ROW = Column("report_row", "行号", "Row", aliases=("行", "row number"))
REPORT_ERRORS = Column("report_errors", "错误", "Errors", aliases=("错误原因", "problem", "问题"))
REPORT_COLUMNS = (REPORT_ROW, REPORT_ERRORS)


class HeaderError(ValidationError):
    """The file's header does not fit the kind; `entries` keeps the messages untranslated for the job."""

    def __init__(self, entries: list[dict]):
        super().__init__([render(e) for e in entries])
        self.entries = entries


@dataclass
class ImportContext:
    """What every row of one job shares: the scope, the dealer the rows are for, and look-ups made once per job."""

    scope: Scope
    dealer_id: int
    cache: dict = field(default_factory=dict)

    def cached(self, key, compute: Callable[[], Any]):
        """A look-up made once per job (a vehicle model by code, a consultant by name)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass(frozen=True)
class ExportSpec:
    """One kind's export: its column keys, the scoped rows, the dealer and date filters, and how a row is written."""

    columns: tuple[str, ...]
    queryset: Callable[[Scope], QuerySet]
    dealer_filter: Callable[[Any], dict]
    date_field: str
    row: Callable[[Scope, Any], list]


# handler(ctx, row) -> True when it created a record; raises ValidationError for a bad row.
RowHandler = Callable[[ImportContext, "RowReader"], bool]
# chunk_handler(ctx, rows) -> per row, in order: True (created), False (updated) or the row's ValidationError.
ChunkHandler = Callable[[ImportContext, list["RowReader"]], list]


@dataclass(frozen=True, kw_only=True)
class ImportKind:
    """One kind of record that can be imported and exported, as a domain app registers it."""

    key: str
    label: str | Promise
    columns: tuple[Column, ...]
    # Who may import (and so see the jobs of) this kind, and who may export it.
    permission: Permission | None = None
    export_permission: Permission | None = None
    handler: RowHandler | None = None
    # The same writes for a whole chunk, set-based; on a database error the chunk is retried row by row.
    chunk_handler: ChunkHandler | None = None
    one_of: tuple[tuple[str, ...], ...] = ()
    # Columns an export adds that an import accepts and ignores.
    export_only: tuple[Column, ...] = ()
    # A service's field name → the column its message belongs to ("model" → "model_code").
    field_columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    export: ExportSpec | None = None

    def __post_init__(self):
        if (self.handler is None) != (self.permission is None):
            raise ValueError(f"Import kind {self.key!r} needs both a row handler and an import permission, or neither.")
        if self.chunk_handler is not None and self.handler is None:
            raise ValueError(f"Import kind {self.key!r} has a chunk handler but no row handler to fall back on.")
        if (self.export is None) != (self.export_permission is None):
            raise ValueError(f"Import kind {self.key!r} needs both an export and an export permission, or neither.")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.key):
            raise ValueError(f"Import kind key {self.key!r} must be lower-case letters, digits and underscores.")

    @property
    def importable(self) -> bool:
        """Whether files of this kind can be imported (some kinds are only exported)."""
        return self.handler is not None

    def may_import(self, scope: Scope | None) -> bool:
        """Whether this scope may import this kind from a file; API clients use the API instead."""
        return (self.importable and scope is not None and not scope.is_api_client
                and self.permission.allows(scope))

    def may_export(self, scope: Scope | None) -> bool:
        """Whether this scope may download this kind's export."""
        return (self.export is not None and scope is not None and not scope.is_api_client
                and self.export_permission.allows(scope))

    def column(self, key: str) -> Column | None:
        """The column with this key, imported or export-only."""
        return next((c for c in (*self.columns, *self.export_only) if c.key == key), None)

    def column_for(self, field_name: str) -> str:
        """The column a service's message about a field belongs to."""
        return self.field_columns.get(field_name, field_name)

    def match_headers(self, header: list) -> dict[int, str]:
        """Map the file's header cells to column keys; raise HeaderError on unknown, repeated or missing ones.

        Export-only columns and an error report's row-number and error columns are accepted and ignored.
        """
        known = {name: column.key for column in self.columns for name in column.names()}
        ignored = {name for column in (*self.export_only, *REPORT_COLUMNS) for name in column.names()}
        mapping: dict[int, str] = {}
        unknown, repeated = [], []
        for index, cell in enumerate(header):
            name = normalize_header(cell)
            if not name or (name in ignored and name not in known):
                continue
            key = known.get(name)
            if key is None:
                unknown.append(str(cell).strip())
            elif key in mapping.values():
                repeated.append(str(cell).strip())
            else:
                mapping[index] = key
        errors = []
        if unknown:
            errors.append(entry("Unknown column: %(names)s.", {"names": ", ".join(unknown)},
                                plural="Unknown columns: %(names)s.", number=len(unknown)))
        if repeated:
            errors.append(entry("Column given twice: %(names)s.", {"names": ", ".join(repeated)}))
        present = set(mapping.values())
        missing = [c.label() for c in self.columns if c.required and c.key not in present]
        if missing:
            errors.append(entry("Missing column: %(names)s.", {"names": ", ".join(missing)},
                                plural="Missing columns: %(names)s.", number=len(missing)))
        for group in self.one_of:
            if not present & set(group):
                names = " / ".join(self.column(key).label() for key in group)
                errors.append(entry("The file needs at least one of these columns: %(names)s.", {"names": names}))
        if errors:
            raise HeaderError(errors)
        return mapping


def _catalogue() -> None:
    """The header messages, for makemessages: they are stored untranslated and translated when shown."""
    ngettext("Unknown column: %(names)s.", "Unknown columns: %(names)s.", 1)
    ngettext("Missing column: %(names)s.", "Missing columns: %(names)s.", 1)
    gettext("Column given twice: %(names)s.")
    gettext("The file needs at least one of these columns: %(names)s.")


def get_kind(key: str) -> ImportKind | None:
    """The registered kind with this key, if any."""
    return registry["import_kinds"].get(key)


def import_kinds(scope: Scope | None) -> list[ImportKind]:
    """The kinds this scope may import, in the order the apps registered them."""
    return [kind for kind in registry["import_kinds"].values() if kind.may_import(scope)]


def export_kinds(scope: Scope | None) -> list[ImportKind]:
    """The kinds this scope may export."""
    return [kind for kind in registry["import_kinds"].values() if kind.may_export(scope)]


@dataclass(frozen=True)
class SomeKind:
    """Holds when the scope may import (or export) at least one registered kind: the door of the import pages.

    The kinds are registered by apps installed after the engine, so they are read when asked, not at start-up.
    """

    imports: bool = True
    exports: bool = False

    def allows(self, scope: Scope | None) -> bool:
        return any((self.imports and kind.may_import(scope)) or (self.exports and kind.may_export(scope))
                   for kind in registry["import_kinds"].values())


MAY_IMPORT_SOME = SomeKind(imports=True)
MAY_EXPORT_SOME = SomeKind(imports=False, exports=True)
MAY_IMPORT_OR_EXPORT_SOME = SomeKind(imports=True, exports=True)
