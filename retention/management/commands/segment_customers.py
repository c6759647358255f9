"""`segment_customers --tenant SLUG --as-of YYYY-MM-DD [--k N] [--build-value]`: k-means customer segments."""

from django.core.management.base import CommandError

from crm_site.imports.messages import render_all
from crm_site.management import TenantCommand, add_date_argument

from ...segments import jobs
from ...value import customer_value_build


class Command(TenantCommand):
    help = ("Cluster the tenant's customers (k-means over attributes and value scores) as of a date, in this "
            "process; the customer value must be built as of that date (--build-value builds it first).")

    def add_arguments(self, parser):
        add_date_argument(parser, "--as-of", required=True, help="The as-of date, YYYY-MM-DD.")
        parser.add_argument("--k", type=int, choices=range(2, 13), metavar="N",
                            help="Number of clusters, 2 to 12 (default: the best silhouette over 3 to 8).")
        parser.add_argument("--build-value", action="store_true",
                            help="Build the customer value as of the date first (it replaces the current one).")

    def handle_tenant(self, *args, scope, **options):
        as_of = options["as_of"]
        if options["build_value"]:
            scored = customer_value_build(scope=scope, as_of=as_of)
            self.stdout.write(f"{scored} customer(s) scored as of {as_of}.")
        run = jobs.analysis_run_queue(scope=scope, kind=jobs.Kind.SEGMENTS, as_of=as_of,
                                      parameters={"k": options["k"]}, worker=False)
        jobs.segments_run(scope=scope, run_id=run.pk)
        run.refresh_from_db()
        if run.status != run.Status.DONE:
            raise CommandError(f"Run {run.pk} {run.status}: {render_all(run.error_entries)}")
        self.stdout.write(f"Run {run.pk}: {run.customers} customer(s) in {run.summary['clusters']} cluster(s) as of {as_of} "
                          f"for tenant {self.tenant.slug} ({run.seconds:.1f} s).")
