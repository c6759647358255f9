"""Association rules: a planted rule found with the hand-computed support, confidence and lift, its sentence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from crm_site.scope import Scope
from retention.models import AnalysisRun, AssociationRule
from retention.segments import jobs
from retention.segments.sentences import rule_sentence

from .segment_data import AS_OF, plant


def mine(world, min_support=0.1, min_confidence=0.5, as_of=AS_OF) -> AnalysisRun:
    scope = Scope.system(world.tenants["A"].pk)
    run = jobs.analysis_run_queue(scope=scope, kind="rules", as_of=as_of, worker=False,
                                  parameters={"min_support": min_support, "min_confidence": min_confidence})
    jobs.rules_run(scope=scope, run_id=run.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def planted(world):
    """100 buyers: 30 self-employed high earners (24 bought 星瀚, 6 凌风), 70 middle-income teachers (14 星瀚, 56 凌风).

    By hand, {self-employed, high income} → 星瀚: support 24/100 = 0.24, confidence 24/30 = 0.8, 星瀚 is bought by
    38 of 100, so lift = 0.8 / 0.38 = 2.105…, 24 customers covered of 30 with the attributes.
    """
    a1 = world.dealers["A1"]
    rich = {"occupation": "个体经营者", "income_band": "high"}
    teachers = {"occupation": "教师", "income_band": "middle"}
    plant(a1, 24, series="星瀚", **rich)
    plant(a1, 6, series="凌风", **rich)
    plant(a1, 14, series="星瀚", **teachers)
    plant(a1, 56, series="凌风", **teachers)
    plant(a1, 10, occupation="个体经营者")  # not buyers (no sale): outside the transactions
    return a1


def test_the_planted_rule_is_found_with_the_right_figures(world, planted):
    run = mine(world)
    assert run.status == "done", run.error_entries
    assert run.customers == 100
    rule = AssociationRule.objects.get(run=run, antecedent=["occupation:个体经营者", "income_band:high"])
    assert rule.consequent == "星瀚"
    assert rule.support == pytest.approx(0.24)
    assert rule.confidence == pytest.approx(0.8)
    assert rule.lift == pytest.approx(0.8 / 0.38)
    assert (rule.customers, rule.antecedent_customers) == (24, 30)
    teachers = AssociationRule.objects.get(run=run, antecedent=["occupation:教师"], consequent="凌风")
    assert teachers.confidence == pytest.approx(56 / 70)
    assert teachers.lift == pytest.approx((56 / 70) / 0.62)


def test_only_attributes_lead_to_one_series(world, planted):
    run = mine(world)
    rules = list(AssociationRule.objects.filter(run=run))
    assert rules
    for rule in rules:
        assert not any(item.startswith("series:") for item in rule.antecedent)
        assert rule.consequent in {"星瀚", "凌风"}
        assert rule.support >= 0.1 and rule.confidence >= 0.5
    lifts = [r.lift for r in sorted(rules, key=lambda r: r.id)]
    assert lifts == sorted(lifts, reverse=True)  # stored strongest first: id order is lift order


def test_thresholds_set_by_the_analyst_cut_the_rules(world, planted):
    strict = mine(world, min_support=0.25, min_confidence=0.5)
    kept = {tuple(r.antecedent) for r in AssociationRule.objects.filter(run=strict)}
    assert ("occupation:个体经营者", "income_band:high") not in kept  # support 0.24 < 0.25
    assert ("occupation:教师",) in kept  # support 0.56
    assert strict.parameters == {"min_support": 0.25, "min_confidence": 0.5}


def test_the_rule_in_one_sentence(world, planted):
    run = mine(world)
    rule = AssociationRule.objects.get(run=run, antecedent=["occupation:个体经营者", "income_band:high"])
    with translation.override("en"):
        assert rule_sentence(rule) == ("Working as 个体经营者 and earning ¥300k–1M a year → buy 星瀚: confidence 80%, "
                                       "lift 2.11, covers 24 customers")


def test_no_buyers_by_the_date_fails_and_says_so(world, planted):
    run = mine(world, as_of=dt.date(2020, 1, 1))
    assert run.status == "failed"
    with translation.override("en"):
        assert jobs.error_text(run) == "No customer to analyse as of 2020-01-01."


def test_rules_need_no_customer_value(world, planted):
    assert mine(world).status == "done"  # no customer value was built in this test
