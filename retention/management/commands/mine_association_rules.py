"""`mine_association_rules --tenant SLUG --as-of YYYY-MM-DD [--min-support S] [--min-confidence C]`."""

from django.core.management.base import CommandError

from crm_site.imports.messages import render_all
from crm_site.management import TenantCommand, add_date_argument

from ...segments import jobs, rules


def share(value: str) -> float:
    """A share 0–1, or a percentage ending in %."""
    number = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    if not 0 < number <= 1:
        raise ValueError(value)
    return number


class Command(TenantCommand):
    help = "Mine association rules (customer attributes → series bought) over the tenant's buyers as of a date."

    def add_arguments(self, parser):
        add_date_argument(parser, "--as-of", required=True, help="The as-of date, YYYY-MM-DD.")
        parser.add_argument("--min-support", type=share, default=rules.DEFAULT_MIN_SUPPORT,
                            help=f"Minimum support, a share or a percentage (default {rules.DEFAULT_MIN_SUPPORT}).")
        parser.add_argument("--min-confidence", type=share, default=rules.DEFAULT_MIN_CONFIDENCE,
                            help="Minimum confidence, a share or a percentage "
                                 f"(default {rules.DEFAULT_MIN_CONFIDENCE}).")

    def handle_tenant(self, *args, scope, **options):
        as_of = options["as_of"]
        run = jobs.analysis_run_queue(scope=scope, kind=jobs.Kind.RULES, as_of=as_of, worker=False, parameters={
            "min_support": options["min_support"], "min_confidence": options["min_confidence"]})
        jobs.rules_run(scope=scope, run_id=run.pk)
        run.refresh_from_db()
        if run.status != run.Status.DONE:
            raise CommandError(f"Run {run.pk} {run.status}: {render_all(run.error_entries)}")
        self.stdout.write(f"Run {run.pk}: {run.summary.get('rules_kept', 0)} rule(s) over {run.customers} buyer(s) "
                          f"as of {as_of} for tenant {self.tenant.slug} ({run.seconds:.1f} s).")
