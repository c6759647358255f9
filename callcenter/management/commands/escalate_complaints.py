"""Escalate the tenant's overdue complaints one level, send the notices now due and rebuild the monthly rollups."""

from __future__ import annotations

from crm_site.management import TenantCommand, add_datetime_argument


class Command(TenantCommand):
    help = ("Move every complaint whose first-contact or resolution commitment was missed (or that made no progress "
            "since its last escalation) one level up, once; a re-run at the same moment changes nothing.")

    def add_arguments(self, parser):
        add_datetime_argument(parser, help="Act as at this moment, ISO 8601 (default: now).")
        parser.add_argument("--no-rollup", action="store_true", help="Do not rebuild the monthly KPI rollups.")

    def handle_tenant(self, *args, scope, **options):
        from callcenter.complaints.tasks import complaints_escalate_and_rollup

        result, rows = complaints_escalate_and_rollup(scope=scope, at=options.get("at"),
                                                      rollup=not options["no_rollup"])
        for row in result.moved:
            self.stdout.write(f"{row['number']}: {row['old_level']} -> {row['new_level']} ({row['reason']})")
        self.stdout.write(f"escalated={result.count} notices_sent={result.notices_sent} rollup_rows={rows}")
