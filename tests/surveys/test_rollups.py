"""The monthly survey sums: kept by the triggers through every kind of write, equal to a rebuild from responses."""

import pytest
from django.core.management import call_command
from django.db import connection

from crm_site.scope import Scope
from surveys import selectors
from surveys.models import SurveyFactorMonthly, SurveyMonthly, SurveyResponse
from surveys.rollups import survey_rollups_rebuild
from surveys.services import response_record

from .factories import invitation, ssi_answers, templates

pytestmark = pytest.mark.django_db

SUMS = ("responses", "index_n", "index_sum", "top", "top_n", "promoters", "detractors", "nps_n")


def _sums(tenant_id):
    monthly = {(r.family, r.month, r.dealer_id): tuple(round(getattr(r, f), 6) for f in SUMS)
               for r in SurveyMonthly._base_manager.filter(tenant_id=tenant_id, responses__gt=0)}
    factors = {(r.family, r.month, r.dealer_id, r.factor): (r.n, round(r.total, 6))
               for r in SurveyFactorMonthly._base_manager.filter(tenant_id=tenant_id, n__gt=0)}
    return monthly, factors


def _answered(world, *answers):
    scope = Scope.system(world.tenants["A"].pk)
    ssi = templates(world.tenants["A"])["ssi"]
    return scope, ssi, [response_record(scope=scope, invitation=invitation(ssi, world.dealers[dealer]), answers=a,
                                        via="link") for dealer, a in answers]


def test_a_recorded_response_moves_the_sums_at_once(world):
    scope, ssi, (low, high) = _answered(world, ("A1", ssi_answers(overall=2, recommend=3)),
                                        ("A1", ssi_answers(overall=10, recommend=10)))
    row = SurveyMonthly._base_manager.get(tenant_id=scope.tenant_id, family="ssi", month=low.month,
                                          dealer=world.dealers["A1"])
    assert (row.responses, row.index_n, row.promoters, row.detractors, row.nps_n) == (2, 2, 1, 1, 2)
    assert row.index_sum == pytest.approx(low.index + high.index)
    assert row.kind == "ssi"
    factor = SurveyFactorMonthly._base_manager.get(tenant_id=scope.tenant_id, month=low.month, factor="deal",
                                                   dealer=world.dealers["A1"])
    assert factor.n == 2 and factor.total == pytest.approx(low.factors["deal"] + high.factors["deal"])


def test_updates_deletes_and_bulk_writes_keep_the_sums_equal_to_a_rebuild(world):
    scope, ssi, rows = _answered(world, ("A1", ssi_answers()), ("A1", ssi_answers(overall=4)),
                                 ("A2", ssi_answers(recommend=2)))
    tenant = scope.tenant_id
    # An update of scores and a move to another month and dealer, a delete, and a bulk copy of rows.
    SurveyResponse.objects.filter(pk=rows[0].pk).update(index=123.0, factors={"deal": 50.0, "new": 10.0})
    SurveyResponse.objects.filter(pk=rows[1].pk).update(month=selectors.shift_month(rows[1].month, -1),
                                                        dealer=world.dealers["A2"])
    SurveyResponse.objects.filter(pk=rows[2].pk).delete()
    copies = []
    for n in range(3):
        copy = SurveyResponse.objects.get(pk=rows[0].pk)
        copy.pk, copy.invitation = None, invitation(ssi, world.dealers["A1"])
        copy.index = 500.0 + n
        copies.append(copy)
    SurveyResponse.objects.bulk_create(copies)
    kept = _sums(tenant)
    survey_rollups_rebuild(tenant_id=tenant)
    assert _sums(tenant) == kept


def test_a_change_of_text_answers_only_moves_nothing(world):
    scope, ssi, (response,) = _answered(world, ("A1", ssi_answers()))
    before = SurveyMonthly._base_manager.get(tenant_id=scope.tenant_id, month=response.month)
    SurveyResponse.objects.filter(pk=response.pk).update(answers={})
    after = SurveyMonthly._base_manager.get(tenant_id=scope.tenant_id, month=response.month)
    assert after.updated_at == before.updated_at and after.responses == 1


def test_the_rebuild_command_recomputes_a_tenants_sums_only(world):
    scope, ssi, (response,) = _answered(world, ("A1", ssi_answers()))
    other = world.tenants["B"].pk
    with connection.cursor() as cursor:
        cursor.execute("UPDATE surveys_surveymonthly SET responses = 99 WHERE tenant_id = %s", [scope.tenant_id])
    call_command("rebuild_survey_rollups", "--tenant", world.tenants["A"].slug)
    assert SurveyMonthly._base_manager.get(tenant_id=scope.tenant_id, month=response.month).responses == 1
    assert not SurveyMonthly._base_manager.filter(tenant_id=other).exists()


def test_dealer_staff_do_not_read_the_sums_of_the_dealer_survey(world):
    dealer_survey = templates(world.tenants["A"])["dealer"]
    scope = Scope.system(world.tenants["A"].pk)
    SurveyMonthly.objects.create(tenant_id=scope.tenant_id, dealer=world.dealers["A1"], family=dealer_survey.code,
                                 kind="dealer", month=selectors.month_start("2026-01"), responses=1)
    staff = Scope(tenant_id=scope.tenant_id, role="dealer_manager", dealer_ids=frozenset({world.dealers["A1"].pk}))
    assert not SurveyMonthly.objects.scoped(staff).filter(kind="dealer").exists()
    assert SurveyMonthly.objects.scoped(scope).filter(kind="dealer").exists()
