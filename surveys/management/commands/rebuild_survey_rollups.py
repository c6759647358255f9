"""`rebuild_survey_rollups --tenant SLUG`: recompute the monthly survey sums from the responses."""

from crm_site.management import TenantCommand

from ...rollups import survey_rollups_rebuild


class Command(TenantCommand):
    help = ("Recompute the tenant's monthly survey sums (what the indices read) from its responses; the triggers keep "
            "them current, so this is for a restore or a check.")

    def handle_tenant(self, *args, scope, **options):
        rows = survey_rollups_rebuild(tenant_id=scope.tenant_id)
        self.stdout.write(f"Rebuilt {rows} monthly rows.")
