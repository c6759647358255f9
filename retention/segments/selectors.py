"""Reads of the analyses: the run shown (asked for, or the newest finished), its clusters, its rules."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from crm_site.scope import Scope

from .models import AnalysisRun, AssociationRule, Cluster

RECENT = 10


def runs(scope: Scope, kind: str) -> QuerySet[AnalysisRun]:
    return AnalysisRun.objects.scoped(scope).filter(kind=kind)


def latest_done(scope: Scope, kind: str) -> AnalysisRun | None:
    """The newest finished run of the kind (what the pages and the API show by default)."""
    return runs(scope, kind).filter(status=AnalysisRun.Status.DONE).order_by("-finished_at", "-id").first()


def run_shown(scope: Scope, kind: str, run_id: int | None) -> AnalysisRun | None:
    """The run asked for (404 when it is not the scope's or not finished), or the newest finished one."""
    if run_id is None:
        return latest_done(scope, kind)
    run = runs(scope, kind).filter(pk=run_id, status=AnalysisRun.Status.DONE).first()
    if run is None:
        raise Http404
    return run


def recent_runs(scope: Scope, kind: str) -> list[AnalysisRun]:
    """The last runs of the kind, newest first, whatever their status."""
    return list(runs(scope, kind).select_related("created_by").order_by("-created_at", "-id")[:RECENT])


def clusters(scope: Scope, run: AnalysisRun) -> list[Cluster]:
    return list(Cluster.objects.scoped(scope).filter(run=run).order_by("number"))


ORDERS = {"lift": ("-lift", "-confidence", "id"), "confidence": ("-confidence", "-lift", "id"),
          "support": ("-support", "-lift", "id"), "customers": ("-customers", "-lift", "id")}


def rules(scope: Scope, run: AnalysisRun, *, min_lift=None, min_confidence=None, min_support=None,
          consequent: str = "", order: str = "lift") -> QuerySet[AssociationRule]:
    """The run's rules, filtered and sorted (lift, confidence, support or customers covered, highest first)."""
    rows = AssociationRule.objects.scoped(scope).filter(run=run)
    if min_lift is not None:
        rows = rows.filter(lift__gte=min_lift)
    if min_confidence is not None:
        rows = rows.filter(confidence__gte=min_confidence)
    if min_support is not None:
        rows = rows.filter(support__gte=min_support)
    if consequent:
        rows = rows.filter(consequent=consequent)
    return rows.order_by(*ORDERS.get(order, ORDERS["lift"]))
