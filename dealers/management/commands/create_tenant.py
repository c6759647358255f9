"""manage.py create_tenant: bootstrap an automaker with its first OEM administrator."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dealers.services import tenant_create


# A plain BaseCommand, not crm_site.management.TenantCommand: the tenant does not exist yet, so there is no
# tenant to restrict the connection to; tenant_create writes only the new tenant's rows.
class Command(BaseCommand):
    help = "Create a tenant (automaker) with its first oem_admin user and the default rules and templates."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-password", required=True)

    def handle(self, *args, **options):
        try:
            tenant = tenant_create(
                name=options["name"],
                slug=options["slug"],
                admin_username=options["admin_username"],
                admin_password=options["admin_password"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Created tenant {tenant.slug} (id {tenant.pk})."))
