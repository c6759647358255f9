"""`generate_survey_invitations --tenant SLUG [--date YYYY-MM-DD]`: the daily survey invitations, for any date."""

from django.utils import timezone

from crm_site.management import TenantCommand, add_date_argument

from ...invitations import invitations_generate


class Command(TenantCommand):
    help = ("Invite the customers of sales and closed service visits of each active SSI/CSI template's delay before "
            "--date (default today), sampled, set-based and idempotent; prints what was created and skipped.")

    def add_arguments(self, parser):
        add_date_argument(parser, help="The day to invite for, YYYY-MM-DD (default: today).")

    def handle_tenant(self, *args, scope, **options):
        report = invitations_generate(scope=scope, on=options["date"] or timezone.localdate())
        expired = report.pop("#expired", 0)
        for code, line in report.items():
            skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(line["skipped"].items())) or "none"
            calls = f", follow-up calls {line['calls']}" if "calls" in line else ""
            self.stdout.write(f"{code}: created {line['created']}{calls}, skipped {sum(line['skipped'].values())} "
                              f"({skipped})")
        self.stdout.write(f"Expired {expired} pending invitations past their time.")
