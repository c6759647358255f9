"""manage.py seed_demo: create the demo network on first start and print its logins."""

from django.core.management.base import BaseCommand

from dealers.demo import demo_logins, demo_seed


# A plain BaseCommand, not crm_site.management.TenantCommand: it creates the demo tenant on first start (make run
# calls it before any tenant exists), and demo_seed writes only that tenant's rows.
class Command(BaseCommand):
    help = "Create the demo tenant (演示汽车 / Demo Motors) if missing, then print the demo logins."

    def handle(self, *args, **options):
        created = demo_seed()
        self.stdout.write("Demo data created." if created else "Demo data already present.")
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<12} {password:<16} {role}")
