"""manage.py seed_demo: create the demo network on first start and print its logins."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from dealers.demo import demo_fill, demo_logins, demo_seed, demo_tenant


# A plain BaseCommand, not crm_site.management.TenantCommand: it creates the demo tenant on first start (make run
# calls it before any tenant exists), and demo_seed and the apps' demo data write only that tenant's rows. The
# apps' set-based loads (COPY) cannot run under row-level security either; they need the owning connection.
class Command(BaseCommand):
    help = ("Create the demo tenant (演示汽车 / Demo Motors) and fill it with every app's demo data if missing, "
            "then print the demo logins.")

    def handle(self, *args, **options):
        started = time.perf_counter()

        # Progress goes to stderr, plainly (not in the error colour): stdout is the logins `make run` shows.
        def log(message: str) -> None:
            self.stderr.write(message, style_func=lambda text: text)

        # One transaction: a fill that fails leaves no half-made demo behind, so the next start tries again.
        with transaction.atomic():
            created = demo_seed()
            if created:
                demo_fill(demo_tenant(), log=log)
        if created:
            log(f"demo data filled in {time.perf_counter() - started:.1f}s")
            self.stdout.write("Demo data created.")
        else:
            self.stdout.write("Demo data already present.")
        self.stdout.write("Demo logins (username / password / role):")
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<12} {password:<16} {role}")
