"""The segments and association-rules pages: who opens and launches them, progress, results, exports, tenancy."""

from __future__ import annotations

import pytest
from django.utils import translation

from crm_site.models import AuditEvent
from crm_site.scope import Scope
from retention.models import AnalysisRun
from retention.segments import jobs
from tests.helpers import EVERY_ROLE, browser, count_queries, htmx

from .segment_data import AS_OF, plant, two_groups

READERS = {"oem_admin", "oem_analyst", "region_manager"}
LAUNCHERS = {"oem_admin", "oem_analyst"}


def run_now(tenant, kind: str, **parameters) -> AnalysisRun:
    scope = Scope.system(tenant.pk)
    run = jobs.analysis_run_queue(scope=scope, kind=kind, as_of=AS_OF, parameters=parameters, worker=False)
    jobs.RUNNERS[kind](scope=scope, run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error_entries
    return run


@pytest.fixture
def analysed(world):
    """Tenant A segmented (k = 2) and mined; tenant B has a run of each too."""
    two_groups(world.dealers["A1"], size=20)
    two_groups(world.dealers["B1"], size=5)
    return {"segments": run_now(world.tenants["A"], "segments", k=2),
            "rules": run_now(world.tenants["A"], "rules", min_support=0.1, min_confidence=0.5),
            "b_segments": run_now(world.tenants["B"], "segments", k=2),
            "b_rules": run_now(world.tenants["B"], "rules", min_support=0.1, min_confidence=0.5)}


def download(client, url: str, params: dict):
    response = client.get(url, params)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content


@pytest.mark.parametrize("name", EVERY_ROLE)
@pytest.mark.parametrize("url", ["/retention/segments/", "/retention/association-rules/"])
def test_hq_and_regions_read_the_pages_others_are_refused(world, analysed, name, url):
    response = browser(world, name).get(url)
    assert response.status_code == (200 if name in READERS else 403)


@pytest.mark.parametrize("name", sorted(READERS))
def test_only_hq_launches_a_run(world, analysed, name, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(world, name).post("/retention/segments/", {"as_of": AS_OF.isoformat(), "k": "2"})
    assert response.status_code == (302 if name in LAUNCHERS else 403)
    launched = AnalysisRun.objects.filter(tenant=world.tenants["A"], kind="segments").order_by("-id")
    assert (launched.count() == 2) == (name in LAUNCHERS)
    if name in LAUNCHERS:  # the job ran (eagerly) inside the request's row-level security
        assert launched[0].status == "done", launched[0].error_entries
        assert launched[0].clusters.count() == 2


def test_the_page_shows_the_last_results_at_once(world, analysed):
    response = browser(world, "oem_analyst").get("/retention/segments/")
    rows = response.context["rows"]
    assert [r["c"].size for r in rows] == [20, 20]
    body = response.content.decode()
    for row in rows:
        assert row["sentence"] in body
    assert response.context["run"] == analysed["segments"]
    rules_body = browser(world, "oem_analyst").get("/retention/association-rules/").content.decode()
    assert "≥ 10.0%" in rules_body and "≥ 50.0%" in rules_body  # the shown run's parameters
    assert 'id="segment-clusters"' in body and "data-chart" in body  # the chart and its table


def test_a_launched_job_runs_and_the_page_follows_it(world, analysed, django_capture_on_commit_callbacks):
    client = browser(world, "oem_analyst")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/retention/association-rules/", {
            "as_of": AS_OF.isoformat(), "min_support": "10", "min_confidence": "50"})
    assert response.status_code == 302
    run = AnalysisRun.objects.filter(kind="rules", tenant=world.tenants["A"]).latest("id")
    assert (run.status, run.progress, run.parameters) == ("done", 100, {"min_support": 0.1, "min_confidence": 0.5})
    assert run.created_by == world.principals["oem_analyst"].user
    fragment = htmx(client, "get", f"/retention/analyses/rules/{run.pk}/progress/")
    assert fragment.status_code == 200 and fragment["HX-Refresh"] == "true"
    assert AuditEvent.objects.filter(action="analysis.rules.queue", tenant=world.tenants["A"]).exists()


def test_a_run_under_way_is_polled_and_blocks_another(world, analysed):
    scope = Scope.system(world.tenants["A"].pk)
    queued = jobs.analysis_run_queue(scope=scope, kind="segments", as_of=AS_OF, parameters={"k": 3}, worker=False)
    client = browser(world, "oem_admin")
    body = client.get("/retention/segments/").content.decode()
    assert f'hx-get="/retention/analyses/segments/{queued.pk}/progress/"' in body
    fragment = htmx(client, "get", f"/retention/analyses/segments/{queued.pk}/progress/")
    assert "HX-Refresh" not in fragment and "hx-trigger" in fragment.content.decode()
    refused = client.post("/retention/segments/", {"as_of": AS_OF.isoformat()})
    assert refused.status_code == 400
    assert "already under way" in refused.content.decode() or "正在" in refused.content.decode()


def test_a_date_without_customer_value_is_a_form_error_that_keeps_the_input(world, analysed):
    response = browser(world, "oem_admin").post("/retention/segments/", {"as_of": "2026-10-31", "k": "4"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'value="2026-10-31"' in body and 'value="4"' in body
    assert response.context["form"].errors["as_of"]
    assert AnalysisRun.objects.filter(tenant=world.tenants["A"], kind="segments").count() == 1


def test_a_failed_run_shows_its_error(world, analysed):
    scope = Scope.system(world.tenants["A"].pk)
    run = jobs.analysis_run_queue(scope=scope, kind="segments", as_of=AS_OF.replace(day=1), parameters={},
                                  worker=False)
    jobs.segments_run(scope=scope, run_id=run.pk)
    with translation.override("en"):
        expected = jobs.error_text(AnalysisRun.objects.get(pk=run.pk))
    client = browser(world, "oem_admin")
    client.cookies["django_language"] = "en"
    body = client.get("/retention/segments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert expected.split(":")[0] in body


def test_another_tenants_run_answers_404(world, analysed):
    client = browser(world, "oem_admin")
    b = analysed["b_segments"]
    assert client.get("/retention/segments/", {"run": b.pk}).status_code == 404
    assert client.get("/retention/association-rules/", {"run": analysed["b_rules"].pk}).status_code == 404
    assert client.get(f"/retention/analyses/segments/{b.pk}/progress/").status_code == 404
    assert client.get("/retention/segments/", {"run": "nonsense"}).status_code == 404
    # A run of the other kind is no run of this page.
    assert client.get("/retention/segments/", {"run": analysed["rules"].pk}).status_code == 404


def test_rules_sort_and_filter(world, analysed):
    client = browser(world, "oem_analyst")
    by_support = client.get("/retention/association-rules/", {"order": "support"}).context["rules"]
    assert [r.support for r in by_support] == sorted((r.support for r in by_support), reverse=True)
    only = client.get("/retention/association-rules/", {"consequent": "凌风"}).context["rules"]
    assert only and {r.consequent for r in only} == {"凌风"}
    bad = client.get("/retention/association-rules/", {"consequent": "没有的车系", "min_lift": "x"})
    assert bad.status_code == 200 and bad.context["invalid"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("url", ["/retention/segments/", "/retention/association-rules/"])
def test_exports_are_scoped_and_audited(world, analysed, fmt, url):
    status, content = download(browser(world, "region_manager"), url, {"format": fmt})
    assert status == 200 and content
    if fmt == "csv" and url.endswith("segments/"):
        assert content.decode("utf-8-sig").count("\n") == 3  # the header and two clusters
    event = AuditEvent.objects.get(action="retention.export", tenant=world.tenants["A"])
    assert event.detail["table"] in ("segments", "rules")


def test_page_queries_do_not_grow_with_the_clusters_or_rules(world):
    a1 = world.dealers["A1"]
    two_groups(a1, size=10)
    client = browser(world, "oem_analyst")
    run_now(world.tenants["A"], "segments", k=2)
    run_now(world.tenants["A"], "rules", min_support=0.1, min_confidence=0.5)
    few = (count_queries(client, "/retention/segments/"), count_queries(client, "/retention/association-rules/"))
    plant(a1, 10, series="远征", occupation="司机", income_band="middle", education="college",
          value={"visits": 12, "spend": 20000})
    run_now(world.tenants["A"], "segments", k=5)
    run_now(world.tenants["A"], "rules", min_support=0.05, min_confidence=0.3)
    many = (count_queries(client, "/retention/segments/"), count_queries(client, "/retention/association-rules/"))
    assert few == many
    assert few[0] <= 12 and few[1] <= 12
