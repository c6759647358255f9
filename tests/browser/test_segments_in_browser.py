"""The segments and rules pages in headless Chromium at a phone's width: no CSP violation, charts drawn, no overflow,
and a run launched from the form is followed by the polled progress until the page shows its results."""

from __future__ import annotations

import os

import pytest

from crm_site.scope import Scope
from retention.segments import jobs
from tests.dealers.factories import TEST_PASSWORD
from tests.retention.segment_data import AS_OF, two_groups

from ..conftest import build_world
from .conftest import log_in


@pytest.mark.django_db(transaction=True)
def test_an_analyst_runs_both_analyses_and_reads_them_on_a_phone(phone):
    world = build_world()
    two_groups(world.dealers["A1"], size=15)
    scope = Scope.system(world.tenants["A"].pk)
    run = jobs.analysis_run_queue(scope=scope, kind="rules", as_of=AS_OF, worker=False,
                                  parameters={"min_support": 0.1, "min_confidence": 0.5})
    jobs.rules_run(scope=scope, run_id=run.pk)
    violations = []
    phone.on("console", lambda message: violations.append(message.text)
             if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    log_in(phone, "oem_analyst", TEST_PASSWORD)
    phone.goto(f"{phone.base_url}/retention/segments/")
    phone.fill("input[name=as_of]", AS_OF.isoformat())
    phone.fill("input[name=k]", "2")
    phone.click("details.launch button[type=submit]")  # Celery runs eagerly: the run is done when the page returns
    phone.wait_for_load_state("networkidle")
    assert phone.locator("#segment-clusters tbody tr").count() == 2
    sentences = phone.locator("#segment-clusters .sentence").all_inner_texts()
    assert any("上海市" in s for s in sentences) and any("河北省" in s for s in sentences)
    phone.wait_for_selector(".chart-canvas svg")
    for path in ("/retention/segments/", "/retention/association-rules/"):
        phone.goto(f"{phone.base_url}{path}")
        phone.wait_for_load_state("networkidle")
        phone.wait_for_selector(".chart-canvas svg")
        width = phone.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (path, width)
        if os.environ.get("SCREENSHOT_DIR"):
            phone.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/seg-{path.strip('/').replace('/', '-')}.png",
                             full_page=True)
    assert phone.locator("#association-rules tbody tr").count() >= 1
    assert violations == []
