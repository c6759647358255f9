"""Browser pages of imports (upload, progress, error report, templates) and scoped exports.

Who may open them comes from the registered kinds: their import and export permissions (crm_site.access).
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.views import View, generic

from crm_site.models import audit
from crm_site.scope import Scope
from crm_site.web import ScopedListView, ScopeRequiredMixin

from . import reports
from .exports import export_header, export_rows
from .forms import ExportFilterForm, ExportForm, ImportForm, too_large_message
from .kinds import (
    MAY_EXPORT_SOME,
    MAY_IMPORT_OR_EXPORT_SOME,
    MAY_IMPORT_SOME,
    ImportKind,
    export_kinds,
    get_kind,
    import_kinds,
)
from .messages import entry
from .models import ImportJob
from .spreadsheets import sheet_response
from .tasks import fail_job, import_run

NOT_QUEUED = gettext_noop("The import could not be queued; upload the file again later.")

logger = logging.getLogger(__name__)

ACTIVE = {ImportJob.Status.QUEUED, ImportJob.Status.RUNNING}


def queue_import(job_id: int, scope: Scope, language: str) -> None:
    """Queue the import task; if the broker is unreachable the job says so instead of waiting forever."""
    try:
        import_run.delay(job_id, scope=scope, language=language)
    except Exception:  # kombu raises several connection errors; any of them means the job will not run
        logger.exception("could not queue import job %s", job_id)
        fail_job(job_id, [entry(NOT_QUEUED)], only_queued=True)


def kind_label(key: str) -> str:
    """A job's kind as the page names it (the key itself for a kind no app registers any more)."""
    kind = get_kind(key)
    return kind.label if kind is not None else key


class ImportPagesMixin(ScopeRequiredMixin):
    """Opened by whoever may import some registered kind."""

    read_permission = MAY_IMPORT_SOME


class ImportList(ScopedListView):
    """My dealer's imports of the kinds I may import (all the tenant's for HQ), newest first, and the way to exports."""

    model = ImportJob
    template_name = "imports/job_list.html"

    read_permission = MAY_IMPORT_OR_EXPORT_SOME

    def get_queryset(self):
        keys = [kind.key for kind in import_kinds(self.scope)]
        return super().get_queryset().filter(kind__in=keys).select_related("dealer", "created_by").defer(
            "content", "errors")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for job in context["object_list"]:
            job.kind_label = kind_label(job.kind)
        context.update(may_import=bool(import_kinds(self.scope)), may_export=bool(export_kinds(self.scope)))
        return context


class ImportCreate(ImportPagesMixin, generic.FormView):
    """Upload a file: it is checked here, then imported in the background."""

    form_class = ImportForm
    template_name = "imports/job_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "scope": self.scope}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = [reports.kind_doc(kind) for kind in import_kinds(self.scope)]
        context["too_large_message"] = too_large_message()
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        with transaction.atomic():
            job = ImportJob.objects.create(
                tenant_id=self.scope.tenant_id, dealer_id=form.dealer_id, created_by_id=self.scope.user_id,
                kind=form.cleaned_data["kind"], file_name=upload.name[:255], content=form.content,
                total_rows=form.total_rows,
            )
            audit(self.scope, "import.upload", job, kind=job.kind, file=job.file_name, rows=job.total_rows)
            transaction.on_commit(partial(queue_import, job.pk, self.scope, get_language()))
        return redirect("imports:job-detail", pk=job.pk)


class JobMixin(ScopeRequiredMixin):
    """Pages of one job: another dealer's or tenant's job answers 404 whatever the role; then the job's kind decides.

    The scope is checked before the permission, so a role without imports learns no more about other dealers' jobs
    than anyone else (DESIGN §2: out of scope is not found, never forbidden).
    """

    def get_job(self, *, page: bool = True) -> ImportJob:
        jobs = ImportJob.objects.scoped(self.scope)
        if page:
            # The page is polled every second: neither the file nor the whole error list is read for it.
            jobs = jobs.defer("content", "errors").annotate(first_errors=reports.first_errors())
        job = get_object_or_404(jobs, pk=self.kwargs["pk"])
        kind = get_kind(job.kind)
        if not (kind.may_import(self.scope) if kind is not None else import_kinds(self.scope)):
            raise PermissionDenied
        job.kind_label = kind_label(job.kind)
        return job

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        context.update(job=job, active=job.status in ACTIVE, percent=reports.percent(job),
                       errors=reports.error_lines(job), errors_shown=reports.ERRORS_SHOWN)
        return context


class ImportDetail(JobMixin, generic.TemplateView):
    """A job's status with a progress bar that refreshes itself while the job runs."""

    template_name = "imports/job_detail.html"


class ImportProgress(JobMixin, generic.TemplateView):
    """The progress fragment htmx polls every second; once finished it no longer asks to be polled."""

    template_name = "imports/_progress.html"


class ImportErrorReport(JobMixin, View):
    """The failed rows as uploaded, with their row numbers and an error column, as CSV or XLSX."""

    def get(self, request, pk: int, fmt: str):
        job = self.get_job(page=False)
        audit(self.scope, "import.error_report", job, format=fmt, rows=job.failed_rows)
        header, rows = reports.error_report(job)
        return sheet_response(fmt, f"import-{job.pk}-errors", str(job.kind_label), header, rows)


def importable_kind(scope: Scope, key: str) -> ImportKind:
    """The kind named in the URL: 404 if no app registers it, 403 if this scope may not import it."""
    kind = get_kind(key)
    if kind is None or not kind.importable:
        raise Http404
    if not kind.may_import(scope):
        raise PermissionDenied
    return kind


class TemplateDownload(ImportPagesMixin, View):
    """An empty file with a kind's column headers (the XLSX has a second sheet describing them)."""

    def get(self, request, kind: str, fmt: str):
        return reports.template_response(importable_kind(self.scope, kind), fmt)


class ExportPagesMixin(ScopeRequiredMixin):
    """Opened by whoever may export some registered kind (exports are bulk reads of personal data)."""

    read_permission = MAY_EXPORT_SOME


class ExportPage(ExportPagesMixin, View):
    """Choose what to export and which rows; a valid choice goes on to the download."""

    def get(self, request):
        form = ExportForm(request.GET or None, scope=self.scope)
        if form.is_bound and form.is_valid():
            query = request.GET.copy()
            kind, fmt = query.pop("kind")[0], query.pop("fmt")[0]
            url = reverse("imports:export", kwargs={"kind": kind, "fmt": fmt})
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        return render(request, "imports/export_form.html", {"form": form}, status=400 if form.is_bound else 200)


class ExportDownload(ExportPagesMixin, View):
    """Stream one kind's rows in the scope; every export is audited as a bulk read of personal data."""

    def get(self, request, kind: str, fmt: str):
        spec = get_kind(kind)
        if spec is None or spec.export is None:
            raise Http404
        if not spec.may_export(self.scope):
            raise PermissionDenied
        form = ExportFilterForm(request.GET, scope=self.scope)
        if not form.is_valid():
            page = ExportForm({**request.GET.dict(), "kind": kind, "fmt": fmt}, scope=self.scope)
            page.is_valid()
            return render(request, "imports/export_form.html", {"form": page}, status=400)
        filters = form.filters()
        audit(self.scope, f"export.{kind}", None, format=fmt, filters=reports.filters_for_audit(filters))
        stem = f"{kind}-{timezone.localdate():%Y%m%d}"
        return sheet_response(fmt, stem, str(spec.label), export_header(spec), export_rows(spec, self.scope, filters))
