"""`flag_uncontacted_leads --tenant SLUG [--at ISO-DATETIME]`: the lead alert the beat runs every 15 minutes."""

from django.utils import timezone

from crm_site.management import TenantCommand, add_datetime_argument
from customers.leads import leads_flag_uncontacted


class Command(TenantCommand):
    help = ("Flag the tenant's new leads nobody contacted within 24 hours of --at (default now) and alert each "
            "dealer's manager; re-running flags nothing twice.")

    def add_arguments(self, parser):
        add_datetime_argument(parser, help="The moment to check at, ISO 8601 (default: now).")

    def handle_tenant(self, *args, scope, **options):
        flagged = leads_flag_uncontacted(scope=scope, now=options["at"] or timezone.now())
        self.stdout.write(f"{flagged} lead(s) flagged for tenant {self.tenant.slug}.")
