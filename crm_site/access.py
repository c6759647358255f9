"""Named permissions: each app's `access.py` says once which roles (and API clients) may do what.

Pages, API viewsets, import kinds and menu entries all ask a `Permission`; nothing else lists roles, so a user
allowed at one door is allowed at every door.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise

from .scope import Scope


@dataclass(frozen=True)
class Permission:
    """One thing a principal may do, and the roles that may do it.

    `api_clients`: whether API clients may too (a write also needs a read/write client; a client limited to some
    resources is checked by the viewset). `writes`: False for a permission that only reads (opening a page).
    """

    code: str
    label: str | Promise
    roles: frozenset[str]
    api_clients: bool = False
    writes: bool = True

    def allows(self, scope: Scope | None) -> bool:
        """Whether this scope holds the permission; no scope holds none."""
        if scope is None:
            return False
        if scope.is_api_client:
            return self.api_clients and (scope.may_write_api or not self.writes)
        return scope.role in self.roles

    def __str__(self) -> str:
        return self.code


def permission(code: str, label: str | Promise, roles, *, api_clients: bool = False,
               writes: bool = True) -> Permission:
    """A permission over a set of role names (strings, so the core needs no app's role list)."""
    return Permission(code=code, label=label, roles=frozenset(str(role) for role in roles), api_clients=api_clients,
                      writes=writes)


def allowed(perm: Permission | tuple[Permission, ...] | None, scope: Scope | None) -> bool:
    """`None` means every principal with a scope (an entry or page without a permission of its own); a tuple, any."""
    if scope is None:
        return False
    if perm is None:
        return True
    return any(p.allows(scope) for p in (perm if isinstance(perm, tuple) else (perm,)))


def holds(scope: Scope | None, code: str) -> bool:
    """Whether the scope holds a permission named by its code (another app's, read through the registry)."""
    from .registry import registry

    perm = registry["permissions"].get(code)
    return perm is not None and perm.allows(scope)
