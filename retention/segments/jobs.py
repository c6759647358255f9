"""Services of the analyses: queue a run, run it with its progress saved as it goes, store or fail it.

A run reads the whole tenant (its results are tenant-wide aggregates), so it needs a tenant-wide scope: HQ's, or
the system scope of the commands.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from functools import partial

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from crm_site.imports.messages import entry, render_all
from crm_site.models import audit
from crm_site.scope import Scope

from ..models import CustomerValue
from . import attributes, clustering, rules
from .models import AnalysisRun, AssociationRule, Cluster, CustomerCluster

logger = logging.getLogger(__name__)

Kind, Status = AnalysisRun.Kind, AnalysisRun.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
# Memberships of this many finished segment runs are kept (campaigns pick from the newest); older runs keep
# their clusters, not their million member rows.
KEEP_MEMBERS = 3
# A run that has not moved for this long was abandoned (its worker restarted): it no longer blocks a new one.
STALE_AFTER = dt.timedelta(minutes=30)

STEPS = {
    "queued": _("Waiting for a worker"),
    "loading": _("Reading the customers"),
    "choosing_k": _("Choosing the number of clusters"),
    "clustering": _("Clustering"),
    "describing": _("Describing the clusters"),
    "mining": _("Finding frequent sets of attributes"),
    "rules": _("Deriving the rules"),
    "saving": _("Saving the results"),
    "done": _("Finished"),
}

NO_VALUE = gettext_noop("No customer value has been built yet: build it as of %(as_of)s first "
                        "(build_customer_value), then segment the customers.")
VALUE_OTHER_DATE = gettext_noop("The customer value is built as of %(built)s, not %(as_of)s: segment as of "
                                "%(built)s, or build the customer value as of %(as_of)s first.")
NOT_TENANT_WIDE = gettext_noop("Segments and rules cover the whole network: only a tenant-wide scope may run them.")
NOBODY = gettext_noop("No customer to analyse as of %(as_of)s.")
NOT_QUEUED = gettext_noop("The run could not be queued; start it again later.")
STOPPED = gettext_noop("The run stopped on an unexpected error.")
ABANDONED = gettext_noop("The run stopped without finishing (its worker was restarted).")


class RunRefused(Exception):
    """A run that cannot go ahead, with the message (an entry) that says why."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid)
        self.entry = entry(msgid, params)


def error_text(run: AnalysisRun) -> str:
    """The run's error in the reader's language."""
    return render_all(run.error_entries) if run.error_entries else ""


def value_date_problem(scope: Scope, as_of: dt.date) -> RunRefused | None:
    """Why customer value cannot be segmented as of that date (None: it can)."""
    built = value_built_on(scope)
    if built is None:
        return RunRefused(NO_VALUE, as_of=as_of)
    if built != as_of:
        return RunRefused(VALUE_OTHER_DATE, built=built, as_of=as_of)
    return None


def value_built_on(scope: Scope) -> dt.date | None:
    """The date the tenant's customer value is built as of, if any."""
    # One build replaces every row, so any row tells the date.
    return CustomerValue.objects.scoped(scope).order_by().values_list("as_of", flat=True).first()


def active_run(scope: Scope, kind: str) -> AnalysisRun | None:
    """A queued or running run of this kind that is still moving."""
    return (AnalysisRun.objects.scoped(scope).filter(kind=kind, status__in=ACTIVE,
                                       updated_at__gte=timezone.now() - STALE_AFTER).order_by("-id").first())


def _queue(run: AnalysisRun, scope: Scope) -> None:
    from .tasks import TASKS

    try:
        TASKS[run.kind].delay(run.pk, scope=scope)
    except Exception:  # the broker is unreachable: the run says so instead of waiting forever
        logger.exception("could not queue analysis run %s", run.pk)
        run_fail(run.pk, [entry(NOT_QUEUED)], only_queued=True)


@transaction.atomic
def analysis_run_queue(*, scope: Scope, kind: str, as_of: dt.date, parameters: dict,
                       worker: bool = True) -> AnalysisRun:
    """Store a queued run and (worker) hand it to Celery once committed; abandoned runs of the kind fail first.

    A command passes worker=False and runs it in its own process (`RUNNERS[kind]`).
    """
    AnalysisRun.objects.filter(tenant_id=scope.tenant_id, kind=kind, status__in=ACTIVE,
                               updated_at__lt=timezone.now() - STALE_AFTER).update(
        status=Status.FAILED, error_entries=[entry(ABANDONED)], updated_at=timezone.now())
    run = AnalysisRun(tenant_id=scope.tenant_id, kind=kind, as_of=as_of, parameters=parameters, step="queued",
                      created_by_id=scope.user_id)
    run.full_clean()
    run.save()
    audit(scope, f"analysis.{kind}.queue", run, as_of=as_of.isoformat(), **parameters)
    if worker:
        transaction.on_commit(partial(_queue, run, scope))
    return run


def run_fail(run_id: int, entries: list[dict], *, only_queued: bool = False) -> None:
    """Mark a run failed with its messages (stored untranslated); a finished run keeps its result."""
    runs = AnalysisRun.objects.filter(pk=run_id)
    runs = runs.filter(status=Status.QUEUED) if only_queued else runs.exclude(status=Status.DONE)
    runs.update(status=Status.FAILED, error_entries=entries, finished_at=timezone.now(), updated_at=timezone.now())


def _progress(run_id: int, percent: float, step: str) -> None:
    """Save how far the run is (committed at once, so the page sees it while the run goes on)."""
    AnalysisRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        progress=max(0, min(99, int(percent))), step=step, updated_at=timezone.now())


def _claim(scope: Scope, run_id: int, kind: str) -> AnalysisRun | None:
    """Take a queued run (one conditional UPDATE: a repeated task finds it taken and does nothing)."""
    now = timezone.now()
    taken = AnalysisRun.objects.filter(pk=run_id, tenant_id=scope.tenant_id, kind=kind,
                                       status=Status.QUEUED).update(status=Status.RUNNING, started_at=now,
                                                                    updated_at=now, progress=0, step="loading")
    return AnalysisRun.objects.get(pk=run_id) if taken else None


def _execute(scope: Scope, run_id: int, kind: str, body) -> str:
    """Claim, run the body, and record failure with its reason; the body stores the results and marks done."""
    run = _claim(scope, run_id, kind)
    if run is None:
        return "skipped"
    started = time.perf_counter()
    with translation.override("en"):
        try:
            if not scope.is_tenant_wide:
                raise RunRefused(NOT_TENANT_WIDE)
            body(run, started)
        except RunRefused as refused:
            run_fail(run_id, [refused.entry])
            return "refused"
        except Exception:
            logger.exception("analysis run %s stopped", run_id)
            run_fail(run_id, [entry(STOPPED)])
            return "failed"
    return "done"


def _finish(run: AnalysisRun, started: float, customers: int, summary: dict) -> None:
    AnalysisRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=Status.DONE, progress=100, step="done", customers=customers, summary=summary,
        seconds=round(time.perf_counter() - started, 2), finished_at=timezone.now(), updated_at=timezone.now())


MEMBER_CHUNK = 250_000


def _insert_members(run: AnalysisRun, customer_ids, labels) -> None:
    """Every customer's cluster, set-based: INSERT … SELECT FROM unnest(two arrays), a quarter million a statement.

    (COPY FROM would be faster, but PostgreSQL refuses it on a table under row-level security.)
    """
    with connection.cursor() as cursor:
        for start in range(0, len(customer_ids), MEMBER_CHUNK):
            cursor.execute(
                "INSERT INTO retention_customercluster (tenant_id, run_id, customer_id, cluster) "
                "SELECT %s, %s, c, k FROM unnest(%s::bigint[], %s::smallint[]) AS m(c, k)",
                [run.tenant_id, run.pk, customer_ids[start:start + MEMBER_CHUNK].tolist(),
                 labels[start:start + MEMBER_CHUNK].tolist()])


def _drop_old_members(run: AnalysisRun) -> None:
    keep = list(AnalysisRun.objects.filter(tenant_id=run.tenant_id, kind=Kind.SEGMENTS, status=Status.DONE)
                .exclude(pk=run.pk).order_by("-finished_at", "-id").values_list("pk", flat=True)[:KEEP_MEMBERS - 1])
    CustomerCluster.objects.filter(tenant_id=run.tenant_id).exclude(run_id__in=[run.pk, *keep]).delete()


def segments_run(*, scope: Scope, run_id: int) -> str:
    """Cluster the tenant's scored customers as of the run's date and store the clusters and memberships."""

    def body(run: AnalysisRun, started: float) -> None:
        problem = value_date_problem(scope, run.as_of)
        if problem is not None:
            raise problem
        frame = attributes.segment_frame(scope.tenant_id, run.as_of)
        if frame.empty:
            raise RunRefused(NOBODY, as_of=run.as_of)
        _progress(run.pk, 15, "choosing_k" if not run.parameters.get("k") else "clustering")
        matrix = clustering.features(frame)
        k, scores = run.parameters.get("k"), {}
        if not k:
            k, scores = clustering.choose_k(matrix, lambda share: _progress(run.pk, 15 + 45 * share, "choosing_k"))
        _progress(run.pk, 60, "clustering")
        labels = clustering.fit(matrix, int(k))
        _progress(run.pk, 80, "describing")
        overall, profiles = clustering.describe(frame, labels)
        _progress(run.pk, 90, "saving")
        with transaction.atomic():
            Cluster.objects.bulk_create([Cluster(
                tenant_id=run.tenant_id, run=run, number=p.number, size=p.size, share=p.share,
                r=p.means["r"], f=p.means["f"], m=p.means["m"], visits=p.means["visits"], spend=p.means["spend"],
                tier_mix=p.tier_mix, traits=p.traits, profile={"means": p.means, "categories": p.categories},
            ) for p in profiles])
            _insert_members(run, frame["customer_id"].to_numpy(), labels)
            _drop_old_members(run)
            _finish(run, started, len(frame), {
                "k": int(k), "clusters": len(profiles), "k_chosen": not run.parameters.get("k"), "silhouettes": scores,
                "overall": overall, "algorithm": type(clustering._model(int(k), len(frame))).__name__})

    return _execute(scope, run_id, Kind.SEGMENTS, body)


def rules_run(*, scope: Scope, run_id: int) -> str:
    """Mine the rules attributes → series over the tenant's buyers as of the run's date and store them."""

    def body(run: AnalysisRun, started: float) -> None:
        buyers, bought = attributes.buyer_frame(scope.tenant_id, run.as_of)
        if buyers.empty:
            raise RunRefused(NOBODY, as_of=run.as_of)
        _progress(run.pk, 15, "mining")
        found, summary = rules.mine(
            buyers, bought, min_support=run.parameters["min_support"],
            min_confidence=run.parameters["min_confidence"],
            progress=lambda share, step: _progress(run.pk, 15 + 75 * share, step))
        _progress(run.pk, 90, "saving")
        summary["series"] = {str(k): int(v) for k, v in bought["series"].astype(str).value_counts().items()}
        with transaction.atomic():
            AssociationRule.objects.bulk_create([AssociationRule(
                tenant_id=run.tenant_id, run=run, antecedent=r.antecedent, consequent=r.consequent,
                support=r.support, confidence=r.confidence, lift=r.lift, customers=r.customers,
                antecedent_customers=r.antecedent_customers) for r in found], batch_size=1000)
            _finish(run, started, len(buyers), summary)

    return _execute(scope, run_id, Kind.RULES, body)


RUNNERS = {Kind.SEGMENTS: segments_run, Kind.RULES: rules_run}
