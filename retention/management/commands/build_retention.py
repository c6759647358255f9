"""Build the retention snapshot of one tenant for a date (default today): vehicle states and rollups."""

from django.utils import timezone

from crm_site.management import TenantCommand, add_date_argument
from retention.snapshot import snapshot_build


class Command(TenantCommand):
    help = "Build (or rebuild) the retention snapshot of a tenant for an as-of date (DESIGN §9.5)."

    def add_arguments(self, parser):
        add_date_argument(parser, "--as-of", help="The as-of date T, YYYY-MM-DD (default: today).")

    def handle_tenant(self, *args, scope, **options):
        as_of = options["as_of"] or timezone.localdate()
        snapshot = snapshot_build(scope=scope, as_of=as_of)
        self.stdout.write(f"Retention snapshot {as_of.isoformat()} of {self.tenant.slug}: "
                          f"{snapshot.vehicles} vehicles in {snapshot.seconds:.1f} s.")
