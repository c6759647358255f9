"""`sweep_followups --tenant SLUG [--at ISO-DATETIME]`: return lapsed leases to the queue, expire overdue tasks."""

from django.utils import timezone

from crm_site.management import TenantCommand, add_datetime_argument

from ...queue import followups_sweep


class Command(TenantCommand):
    help = ("Give tasks whose lease ran out back to the queue and close as expired the tasks past their due window, "
            "as at --at (default now); re-running changes nothing more.")

    def add_arguments(self, parser):
        add_datetime_argument(parser, help="The moment to sweep at, ISO 8601 (default: now).")

    def handle_tenant(self, *args, scope, **options):
        released, expired = followups_sweep(tenant_id=scope.tenant_id, now=options["at"] or timezone.now())
        self.stdout.write(f"{released} lease(s) released, {expired} task(s) expired for tenant {self.tenant.slug}.")
