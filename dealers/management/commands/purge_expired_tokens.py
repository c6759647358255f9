"""`purge_expired_tokens --tenant SLUG [--at ISO-DATETIME]`: the nightly clean-up of user tokens, for one tenant."""

from crm_site.management import TenantCommand, add_datetime_argument
from dealers.services import user_tokens_purge


class Command(TenantCommand):
    help = "Delete the tenant's user tokens that expired or were revoked more than a day before --at (default now)."

    def add_arguments(self, parser):
        add_datetime_argument(parser, help="The moment to purge as of, ISO 8601 (default: now).")

    def handle_tenant(self, *args, scope, **options):
        deleted = user_tokens_purge(scope=scope, now=options["at"])
        self.stdout.write(f"{deleted} token(s) deleted for tenant {self.tenant.slug}.")
