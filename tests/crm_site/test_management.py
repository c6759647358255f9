"""Management commands over one tenant's data: TenantCommand resolves --tenant and runs inside its row-level security."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.db import connection
from django.utils import timezone

from crm_site import rls
from crm_site.management import TenantCommand, add_date_argument, add_datetime_argument
from crm_site.scope import SYSTEM_ROLE
from dealers.models import Dealer, Region, Tenant

# Commands that work on data but cannot run inside one tenant's row-level security, each with the reason given in
# its module: they create the tenant they work on (and the dataset's bulk load needs the owning user).
PLAIN_COMMANDS = {"create_tenant", "seed_demo", "generate_dataset"}


class Probe(TenantCommand):
    """Records what the command body sees."""

    help = "Test command."

    def handle_tenant(self, *args, scope, **options):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_setting('crm.tenant_id', true)")
            self.role, self.setting = cursor.fetchone()
        self.scope = scope
        self.options = options
        self.restricted = rls.restricted()
        # Unscoped on purpose: only the database's policy keeps the other tenant out.
        self.dealer_tenants = set(Dealer.objects.values_list("tenant_id", flat=True))
        self.region_tenants = set(Region.objects.values_list("tenant_id", flat=True))
        self.renamed = Dealer.objects.exclude(tenant_id=scope.tenant_id).update(name="taken over")


class Dated(TenantCommand):
    """A command with the date helpers, as generate_followups --date or escalate_complaints --at will have."""

    def add_arguments(self, parser):
        add_date_argument(parser)
        add_datetime_argument(parser)

    def handle_tenant(self, *args, scope, **options):
        self.day, self.at = options["date"], options["at"]


class Failing(TenantCommand):
    def handle_tenant(self, *args, scope, **options):
        raise RuntimeError("boom")


def connection_is_unrestricted() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user = session_user, current_setting('crm.tenant_id', true)")
        same_user, tenant = cursor.fetchone()
    return same_user and not tenant and not rls.restricted()


def test_tenant_is_required(db):
    with pytest.raises(CommandError, match="--tenant"):
        call_command(Probe())


def test_unknown_tenant_is_refused(db):
    with pytest.raises(CommandError, match="No tenant with the slug 'nobody'"):
        call_command(Probe(), tenant="nobody")


def test_inactive_tenant_is_refused(world):
    Tenant.objects.filter(pk=world.tenants["B"].pk).update(is_active=False)
    command = Probe()
    with pytest.raises(CommandError, match="inactive"):
        call_command(command, tenant="tenant-b")
    assert not hasattr(command, "scope")


def test_the_body_runs_inside_the_tenants_row_level_security(world):
    tenant_a, tenant_b = world.tenants["A"], world.tenants["B"]
    command = Probe()
    call_command(command, "--tenant", "tenant-a")
    assert command.scope.tenant_id == tenant_a.pk and command.scope.role == SYSTEM_ROLE
    assert command.scope.is_tenant_wide
    assert command.tenant == tenant_a and command.options["tenant"] == "tenant-a"
    assert (command.role, command.setting, command.restricted) == (rls.app_role(), str(tenant_a.pk), True)
    # Another tenant's rows are neither visible nor writable from inside the command.
    assert command.dealer_tenants == {tenant_a.pk}
    assert command.region_tenants == {tenant_a.pk}
    assert command.renamed == 0
    assert not Dealer.objects.filter(tenant=tenant_b, name="taken over").exists()
    assert connection_is_unrestricted()


def test_the_connection_is_given_back_when_the_body_fails(world):
    with pytest.raises(RuntimeError, match="boom"):
        call_command(Failing(), tenant="tenant-a")
    assert connection_is_unrestricted()


def test_a_connection_restricted_to_another_tenant_is_refused(world):
    assert rls.enter(world.tenants["B"].pk)
    try:
        with pytest.raises(CommandError, match="another tenant"):
            call_command(Probe(), tenant="tenant-a")
    finally:
        rls.leave()


def test_a_connection_already_restricted_to_the_same_tenant_stays_so(world):
    tenant_a = world.tenants["A"].pk
    assert rls.enter(tenant_a)
    try:
        command = Probe()
        call_command(command, tenant="tenant-a")
        assert command.dealer_tenants == {tenant_a}
        assert rls.restricted()  # the caller's restriction is the caller's to release
    finally:
        rls.leave()


def test_date_and_time_options_are_parsed(world):
    command = Dated()
    call_command(command, "--tenant", "tenant-a", "--date", "2026-03-31", "--at", "2026-03-31T09:30")
    assert command.day == date(2026, 3, 31)
    assert timezone.is_aware(command.at)
    assert command.at.utcoffset() == timedelta(hours=8)  # Asia/Shanghai
    call_command(command, "--tenant", "tenant-a", "--at", "2026-03-31T09:30+00:00")
    assert command.day is None and command.at == datetime(2026, 3, 31, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("option, value, expected", [
    ("--date", "31.03.2026", "expected YYYY-MM-DD"),
    ("--date", "2026-02-30", "expected YYYY-MM-DD"),
    ("--at", "tomorrow", "expected ISO 8601"),
])
def test_malformed_dates_are_usage_errors(world, option, value, expected):
    with pytest.raises(CommandError, match=expected):
        call_command(Dated(), "--tenant", "tenant-a", option, value)


def test_every_command_of_ours_runs_inside_one_tenant_or_says_why_not():
    ours = {config.name for config in apps.get_app_configs()
            if Path(config.path).is_relative_to(settings.BASE_DIR) and ".venv" not in Path(config.path).parts}
    commands = {name: load_command_class(app, name) for name, app in get_commands().items() if app in ours}
    assert set(commands) >= PLAIN_COMMANDS
    outside = {name for name, command in commands.items() if not isinstance(command, TenantCommand)}
    assert outside == PLAIN_COMMANDS, "a new command over tenant data derives from crm_site.management.TenantCommand"


def test_the_plain_commands_still_work(db):
    out = io.StringIO()
    call_command("create_tenant", name="新汽车", slug="new-motors", admin_username="boss",
                 admin_password="Correct-Horse-9", stdout=out)
    assert "Created tenant new-motors" in out.getvalue()
    call_command("seed_demo", stdout=out)
    assert "Demo logins" in out.getvalue()
    call_command("generate_dataset", tenant="probe", dealers=1, vehicles=5, visits_per_vehicle=1,
                 leads_per_dealer=2, stdout=out)
    assert "Generated:" in out.getvalue()
    assert connection_is_unrestricted()
