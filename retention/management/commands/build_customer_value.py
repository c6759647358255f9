"""`build_customer_value --tenant SLUG [--as-of YYYY-MM-DD]`: RFM, 3R and value tiers of every customer."""

from django.utils import timezone

from crm_site.management import TenantCommand, add_date_argument

from ...value import customer_value_build


class Command(TenantCommand):
    help = "Rebuild every customer's RFM scores, 3R and value tier as of --as-of (default yesterday)."

    def add_arguments(self, parser):
        add_date_argument(parser, "--as-of", help="The as-of date, YYYY-MM-DD (default: yesterday).")

    def handle_tenant(self, *args, scope, **options):
        import datetime as dt

        as_of = options["as_of"] or timezone.localdate() - dt.timedelta(days=1)
        scored = customer_value_build(scope=scope, as_of=as_of)
        self.stdout.write(f"{scored} customer(s) scored as of {as_of} for tenant {self.tenant.slug}.")
