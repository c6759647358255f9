"""segment_customers and mine_association_rules: explicit dates, the customer value's date, the output."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from retention.models import AnalysisRun, Cluster, CustomerValue

from .segment_data import AS_OF, two_groups


def command(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_segment_customers_for_a_date(world):
    two_groups(world.dealers["A1"], size=10)
    out = command("segment_customers", "--tenant", "tenant-a", "--as-of", AS_OF.isoformat(), "--k", "2")
    run = AnalysisRun.objects.get(kind="segments")
    assert out.startswith(f"Run {run.pk}: 20 customer(s) in 2 cluster(s) as of {AS_OF}")
    assert run.created_by is None and Cluster.objects.filter(run=run).count() == 2


def test_segment_customers_says_when_the_value_is_of_another_date(world):
    two_groups(world.dealers["A1"], size=5)
    with pytest.raises(CommandError, match="2026-11-30.*2026-10-31"):  # in the command's language (zh-Hans)
        command("segment_customers", "--tenant", "tenant-a", "--as-of", "2026-10-31")


def test_build_value_first_builds_it_for_the_date(world):
    two_groups(world.dealers["A1"], size=5)
    CustomerValue.objects.all().delete()  # planted values are gone; the build scores the buyers from their sales
    out = command("segment_customers", "--tenant", "tenant-a", "--as-of", "2026-10-31", "--k", "2", "--build-value")
    assert "10 customer(s) scored as of 2026-10-31" in out
    assert set(CustomerValue.objects.values_list("as_of", flat=True)) == {AS_OF.replace(month=10, day=31)}


def test_mine_association_rules_with_thresholds(world):
    two_groups(world.dealers["A1"], size=10)
    out = command("mine_association_rules", "--tenant", "tenant-a", "--as-of", AS_OF.isoformat(),
                  "--min-support", "10%", "--min-confidence", "0.6")
    run = AnalysisRun.objects.get(kind="rules")
    assert run.parameters == {"min_support": 0.1, "min_confidence": 0.6}
    assert f"over 20 buyer(s) as of {AS_OF}" in out


def test_the_date_is_required_and_checked(world):
    with pytest.raises(CommandError):
        command("mine_association_rules", "--tenant", "tenant-a")
    with pytest.raises(CommandError):
        command("segment_customers", "--tenant", "tenant-a", "--as-of", "30/11/2026")
