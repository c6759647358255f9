"""Base class of management commands that work on one tenant's data, inside that tenant's row-level security.

A command that reads or writes tenant rows derives from `TenantCommand` and implements `handle_tenant(scope=...)`.
It gets a required `--tenant SLUG`, refuses an unknown or inactive tenant, and runs with the tenant's system scope
while the connection is restricted to that tenant (crm_site.rls), so a query that forgot the scope still cannot
touch another tenant's rows: commands get the same fail-closed backstop as requests and scoped tasks.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from . import history, rls
from .scope import Scope, tenant_model


def parse_date(value: str) -> date:
    """A YYYY-MM-DD command-line value as a date."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: expected YYYY-MM-DD, e.g. 2026-03-31") from None


def parse_datetime(value: str) -> datetime:
    """An ISO 8601 command-line value as an aware datetime (a time without offset is in the current time zone)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date and time: expected ISO 8601, e.g. 2026-03-31T09:30 or 2026-03-31T09:30+08:00"
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def add_date_argument(parser, name: str = "--date", *, required: bool = False, default=None, help: str = "") -> None:
    """Add an optional (or required) YYYY-MM-DD option; a malformed value is a usage error that says the format."""
    parser.add_argument(name, type=parse_date, required=required, default=default, metavar="YYYY-MM-DD",
                        help=help or "The day to work for, YYYY-MM-DD.")


def add_datetime_argument(parser, name: str = "--at", *, required: bool = False, default=None, help: str = "") -> None:
    """Add an ISO 8601 date-and-time option (for commands that act 'as at' a moment)."""
    parser.add_argument(name, type=parse_datetime, required=required, default=default, metavar="DATETIME",
                        help=help or "The moment to act at, ISO 8601 (without an offset: the current time zone).")


class TenantCommand(BaseCommand):
    """A command over one tenant: `--tenant SLUG` is required and `handle_tenant` runs inside its row-level security.

    Subclasses add their own options in `add_arguments` as usual (no super() call needed) and implement
    `handle_tenant(*args, scope, **options)`; `self.tenant` is the resolved tenant and options["tenant"] its slug.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Added here rather than in add_arguments, so a subclass's own add_arguments cannot drop it.
        parser.add_argument("--tenant", required=True, metavar="SLUG",
                            help="Slug of the (active) tenant whose data the command works on.")
        return parser

    def resolve_tenant(self, slug: str):
        """The active tenant with this slug; CommandError otherwise."""
        tenant = tenant_model().objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No tenant with the slug {slug!r}.")
        if not tenant.is_active:
            raise CommandError(f"Tenant {slug!r} is inactive: commands do not run for an inactive tenant.")
        return tenant

    def handle(self, *args, **options):
        self.tenant = self.resolve_tenant(options["tenant"])
        scope = Scope.system(self.tenant.pk)
        current = getattr(connection, "crm_rls_tenant", None)
        if current is not None and current != scope.tenant_id:
            # Called (call_command) from code already restricted to another tenant: never mix two tenants.
            raise CommandError(f"The connection is restricted to another tenant (id {current}).")
        entered = rls.enter(scope.tenant_id)
        try:
            with history.channel(channel=history.COMMAND, command=self.__module__.rsplit(".", 1)[-1],
                                 **history.scope_metadata(scope)):
                return self.handle_tenant(*args, scope=scope, **options)
        finally:
            if entered:
                rls.leave()

    def handle_tenant(self, *args, scope: Scope, **options):
        """The command's work for `scope` (the tenant's system scope)."""
        raise NotImplementedError("subclasses of TenantCommand must provide a handle_tenant() method")
