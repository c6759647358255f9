"""Generate a realistic synthetic dealer network (dealers, staff, customers, vehicles, visits, leads) for a tenant."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from vehicles.dataset import DatasetError, Options, generate


# A plain BaseCommand, not crm_site.management.TenantCommand, on purpose: it creates its tenant when missing, and the
# bulk load cannot run as the restricted role: PostgreSQL refuses COPY FROM into a table with row-level security, and
# ANALYZE, skipping the row-by-row foreign key triggers and reserving id blocks past every tenant's rows need the
# connecting (owning) user. Every row it writes carries the one tenant id it resolved, and the checks it runs at the
# end are limited to that tenant.
class Command(BaseCommand):
    help = (
        "Generate a synthetic network for a tenant (created if missing) with set-based COPY loads. "
        "Deterministic for a given --seed and --as-of. Refuses a tenant that has vehicles unless --append."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="Tenant slug; created (name from the slug) if missing.")
        parser.add_argument("--dealers", type=int, default=200,
                            help="Total dealers the tenant should have; existing ones count (default 200).")
        parser.add_argument("--vehicles", type=int, default=1_000_000, help="Vehicles to add (default 1,000,000).")
        parser.add_argument("--visits-per-vehicle", type=float, default=5.0,
                            help="Mean service visits per vehicle over its life (default 5).")
        parser.add_argument("--leads-per-dealer", type=int, default=300,
                            help="Open and lost leads per dealer, besides the won leads behind sales (default 300).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="The network's today, YYYY-MM-DD (default: today in Asia/Shanghai).")
        parser.add_argument("--password", default="demo-pass-2026", help="Password of every generated user.")
        parser.add_argument("--append", action="store_true", help="Add to a tenant that already has vehicles.")
        parser.add_argument("--chunk-size", type=int, default=50_000, help="Vehicles per COPY chunk.")
        parser.add_argument("--id-number-share", type=float, default=0.1,
                            help="Share of person customers with an encrypted resident ID number (default 0.1).")
        parser.add_argument("--checked", action="store_true",
                            help="Keep PostgreSQL's row-by-row foreign key checks (slower) instead of skipping "
                                 "them during the load and verifying every reference at the end.")

    def handle(self, *args, **options):
        if options["vehicles"] < 0 or options["dealers"] < 1 or options["chunk_size"] < 1:
            raise CommandError("--vehicles must be 0 or more, --dealers and --chunk-size 1 or more.")
        settings = Options(
            tenant=options["tenant"], dealers=options["dealers"], vehicles=options["vehicles"],
            visits_per_vehicle=options["visits_per_vehicle"], leads_per_dealer=options["leads_per_dealer"],
            seed=options["seed"], password=options["password"], append=options["append"], as_of=options["as_of"],
            chunk_size=options["chunk_size"], id_number_share=options["id_number_share"],
            checked=options["checked"],
        )
        try:
            counts = generate(settings, log=self.stdout.write)
        except DatasetError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            "Generated: " + ", ".join(f"{n:,} {what}" for what, n in sorted(counts.items()))))
