"""Customer segments: clusters found in planted data, sentences that name what sets them apart, the job's progress."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from crm_site.scope import Scope
from retention.models import AnalysisRun, Cluster, CustomerCluster
from retention.segments import clustering, jobs
from retention.segments.sentences import cluster_sentence

from .segment_data import AS_OF, plant, two_groups


def segment(world, k: int | None = 2, as_of: dt.date = AS_OF) -> AnalysisRun:
    scope = Scope.system(world.tenants["A"].pk)
    run = jobs.analysis_run_queue(scope=scope, kind="segments", as_of=as_of, parameters={"k": k}, worker=False)
    jobs.segments_run(scope=scope, run_id=run.pk)
    run.refresh_from_db()
    return run


def english(traits) -> str:
    with translation.override("en"):
        return cluster_sentence(traits)


def test_two_planted_groups_become_two_clusters_named_by_their_attributes(world):
    two_groups(world.dealers["A1"])
    run = segment(world)
    assert run.status == "done", run.error_entries
    clusters = list(Cluster.objects.filter(run=run).order_by("number"))
    assert [c.size for c in clusters] == [40, 40]
    by_gender = {c.profile["categories"]["gender"].get("male", 0) == 1.0: c for c in clusters}
    men, women = by_gender[True], by_gender[False]
    assert (men.r, men.m, women.r) == (5, 5, 1)
    assert men.tier_mix == {"core": 1.0} and women.tier_mix == {"dormant": 1.0}
    said = english(men.traits)
    assert said.startswith("Mostly men aged 30–39, in first-tier cities, from 上海市, earning ¥300k–1M a year")
    assert "6 visits in 24 months on average (overall 3)" in said
    said = english(women.traits)
    assert said.startswith("Mostly women aged 60 or over, in third-tier cities or smaller, from 河北省, "
                           "earning under ¥100k a year")
    assert "0 visits in 24 months on average (overall 3)" in said


def test_the_sentence_follows_the_data_not_a_template(world):
    """The same planting with other cities and incomes gives other words."""
    a1 = world.dealers["A1"]
    plant(a1, 30, gender="female", birth_date=dt.date(1999, 1, 1), city="成都", income_band="very_high",
          value={"visits": 4, "spend": 6000})
    plant(a1, 30, gender="male", birth_date=dt.date(1975, 1, 1), city="保定", income_band="middle",
          value={"visits": 1, "spend": 300})
    run = segment(world)
    sentences = sorted(english(c.traits) for c in Cluster.objects.filter(run=run))
    assert sentences[0].startswith("Mostly men aged 50–59, in second-tier cities, earning ¥100k–300k a year")
    assert sentences[1].startswith("Mostly women aged 25–29, in new first-tier cities, earning over ¥1M a year")


def test_traits_keep_only_what_is_over_represented():
    frame_traits = [{"attribute": "gender", "value": "male", "share": 0.9, "overall": 0.66}]
    assert english(frame_traits) == "Mostly men"
    assert english([]) == "Close to the customer base as a whole: no attribute sets this cluster apart."


def test_every_customer_gets_a_cluster_and_old_memberships_are_dropped(world):
    two_groups(world.dealers["A1"], size=10)
    runs = [segment(world) for _ in range(jobs.KEEP_MEMBERS + 1)]
    assert CustomerCluster.objects.filter(run=runs[-1]).count() == 20
    assert not CustomerCluster.objects.filter(run=runs[0]).exists()
    assert Cluster.objects.filter(run=runs[0]).count() == 2  # the clusters stay
    members = CustomerCluster.objects.filter(run=runs[-1])
    assert set(members.values_list("cluster", flat=True)) == {1, 2}


def test_k_is_chosen_by_the_silhouette_when_not_set(world):
    a1 = world.dealers["A1"]
    for n in range(12):  # three groups, each with some spread in age and visits
        plant(a1, 2, gender="male", birth_date=dt.date(1990 + n % 4, 1, 1), city="上海", income_band="high",
              value={"visits": 6 + n % 3, "spend": 8000 + 100 * n, "r": 5, "f": 5, "m": 5})
        plant(a1, 2, gender="female", birth_date=dt.date(1960 + n % 4, 1, 1), city="唐山", income_band="low",
              value={"visits": n % 2, "spend": 50 * n, "r": 1, "f": 1, "m": 1})
        plant(a1, 2, kind="company", value={"visits": 15 + n % 3, "spend": 30000 + 500 * n, "r": 4, "f": 5, "m": 5})
    run = segment(world, k=None)
    assert run.status == "done"
    assert run.summary["k_chosen"] is True
    assert set(run.summary["silhouettes"]) == {str(k) for k in clustering.K_RANGE}
    best = max(run.summary["silhouettes"].items(), key=lambda kv: kv[1])
    assert run.summary["k"] == int(best[0]) == 3
    assert Cluster.objects.filter(run=run).count() == 3


def test_the_job_stores_its_progress_as_it_goes(world, monkeypatch):
    two_groups(world.dealers["A1"], size=10)
    seen = []
    fit = clustering.fit

    def watching(matrix, k):
        run = AnalysisRun.objects.get(kind="segments")
        seen.append((run.status, run.progress, run.step))
        return fit(matrix, k)

    monkeypatch.setattr(clustering, "fit", watching)
    run = segment(world)
    assert seen == [("running", 60, "clustering")]
    assert (run.status, run.progress, run.step) == ("done", 100, "done")
    assert run.started_at and run.finished_at and run.customers == 20
    assert run.summary["algorithm"] == "KMeans"


def test_missing_customer_value_for_the_date_fails_the_run_and_says_so(world):
    two_groups(world.dealers["A1"], size=5)
    run = segment(world, as_of=dt.date(2026, 10, 31))
    assert run.status == "failed"
    with translation.override("en"):
        assert jobs.error_text(run) == ("The customer value is built as of 2026-11-30, not 2026-10-31: segment as of "
                                        "2026-11-30, or build the customer value as of 2026-10-31 first.")
    assert not Cluster.objects.filter(run=run).exists()


def test_no_customer_value_at_all_says_to_build_it(world):
    run = segment(world)
    assert run.status == "failed"
    with translation.override("en"):
        assert "No customer value has been built yet" in jobs.error_text(run)


def test_a_run_refuses_a_scope_that_is_not_tenant_wide(world):
    two_groups(world.dealers["A1"], size=5)
    region = world.principals["region_manager"].scope
    run = jobs.analysis_run_queue(scope=region, kind="segments", as_of=AS_OF, parameters={"k": 2}, worker=False)
    assert jobs.segments_run(scope=region, run_id=run.pk) == "refused"
    run.refresh_from_db()
    assert run.status == "failed"


def test_a_repeated_task_does_nothing(world):
    two_groups(world.dealers["A1"], size=5)
    run = segment(world)
    assert jobs.segments_run(scope=Scope.system(world.tenants["A"].pk), run_id=run.pk) == "skipped"
    assert Cluster.objects.filter(run=run).count() == 2


def test_companies_are_not_described_by_the_attributes_they_cannot_have(world):
    a1 = world.dealers["A1"]
    plant(a1, 20, kind="company", value={"visits": 5, "spend": 9000})
    plant(a1, 20, gender="male", birth_date=dt.date(1990, 1, 1), income_band="middle", value={"visits": 1})
    run = segment(world)
    company = next(c for c in Cluster.objects.filter(run=run) if c.profile["categories"]["kind"].get("company") == 1)
    said = english(company.traits)
    assert said.startswith("Mostly companies and fleets")
    assert "unknown" not in said

