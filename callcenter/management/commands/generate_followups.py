"""`generate_followups --tenant SLUG [--date YYYY-MM-DD]`: the daily follow-up generation, for any date."""

from django.utils import timezone

from crm_site.management import TenantCommand, add_date_argument

from ...choices import RunSource
from ...generation import followups_generate


class Command(TenantCommand):
    help = ("Create the tenant's follow-up tasks due on --date (default today) for every active rule, set-based and "
            "idempotent; prints what was created and what was skipped, and why.")

    def add_arguments(self, parser):
        add_date_argument(parser, help="The day to generate for, YYYY-MM-DD (default: today).")

    def handle_tenant(self, *args, scope, **options):
        run = followups_generate(scope=scope, on=options["date"] or timezone.localdate(), source=RunSource.COMMAND)
        for line in run.per_rule:
            skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(line["skipped"].items())) or "none"
            self.stdout.write(f"{line['code']}: created {line['created']}, already there {line['existing']}, "
                              f"skipped {sum(line['skipped'].values())} ({skipped}) in {line['seconds']} s")
        self.stdout.write(f"Run {run.pk} for {run.run_on}: created {run.created_count}, already there "
                          f"{run.existing_count}, skipped {run.skipped_count}, expired {run.expired_count}.")
