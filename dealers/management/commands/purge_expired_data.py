"""`purge_expired_data --tenant SLUG [--date YYYY-MM-DD]`: the nightly purge of what the tenant keeps no longer."""

from django.utils import timezone

from crm_site.management import TenantCommand, add_date_argument
from crm_site.purge import data_purge


class Command(TenantCommand):
    help = ("Delete or blank, as of --date (default today), what is older than the tenant's keeping periods: audit "
            "rows, call and follow-up notes, attachments of closed complaints, and what other apps register.")

    def add_arguments(self, parser):
        add_date_argument(parser, help="The day to purge as of, YYYY-MM-DD (default: today).")

    def handle_tenant(self, *args, scope, **options):
        done = data_purge(tenant_id=scope.tenant_id, on=options["date"] or timezone.localdate())
        for name, rows in done.items():
            self.stdout.write(f"{name}: {rows}")
