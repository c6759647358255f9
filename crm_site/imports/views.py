"""Browser pages of imports (upload, progress, error report, templates) and scoped exports."""

from __future__ import annotations

import logging
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View, generic

from crm_site.models import ImportJob, audit
from crm_site.scope import Scope, scope_for_request
from crm_site.web import ScopedListView, ScopeRequiredMixin

from . import reports
from .exports import export_header, export_rows
from .forms import ExportFilterForm, ExportForm, ImportForm, too_large_message
from .kinds import EXPORT_ROLES, IMPORT_ROLES, KINDS, import_kinds, may_export
from .spreadsheets import sheet_response
from .tasks import import_run

logger = logging.getLogger(__name__)

ACTIVE = {ImportJob.Status.QUEUED, ImportJob.Status.RUNNING}


def queue_import(job_id: int, scope: Scope, language: str) -> None:
    """Queue the import task; if the broker is unreachable the job says so instead of waiting forever."""
    try:
        import_run.delay(job_id, scope=scope, language=language)
    except Exception:  # kombu raises several connection errors; any of them means the job will not run
        logger.exception("could not queue import job %s", job_id)
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.FAILED, message=_("The import could not be queued; upload the file again later."))


class RolesGate:
    """Opened only by the roles listed (until each kind names its permissions)."""

    read_roles: frozenset = frozenset()

    def dispatch(self, request, *args, **kwargs):
        scope = scope_for_request(request) if request.user.is_authenticated else None
        if scope is not None and scope.role not in self.read_roles:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportList(RolesGate, ScopedListView):
    """My dealer's imports (all the tenant's for HQ), newest first, and the way to exports."""

    model = ImportJob
    read_roles = IMPORT_ROLES | EXPORT_ROLES
    template_name = "imports/job_list.html"

    def get_queryset(self):
        if not import_kinds(self.scope):
            return ImportJob.objects.none()
        return super().get_queryset().select_related("dealer", "created_by").defer("content", "errors")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for job in context["object_list"]:
            job.kind_label = KINDS[job.kind].label if job.kind in KINDS else job.kind
        context.update(may_import=bool(import_kinds(self.scope)), may_export=may_export(self.scope))
        return context


class ImportCreate(RolesGate, ScopeRequiredMixin, generic.FormView):
    """Upload a file: it is checked here, then imported in the background."""

    read_roles = IMPORT_ROLES
    form_class = ImportForm
    template_name = "imports/job_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "scope": self.scope}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = [reports.kind_doc(KINDS[key]) for key in import_kinds(self.scope)]
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


class JobMixin(RolesGate, ScopeRequiredMixin):
    """Pages of one job; another dealer's or tenant's job answers 404."""

    read_roles = IMPORT_ROLES

    def get_job(self) -> ImportJob:
        # The page is polled every second: neither the file nor the whole error list is read for it.
        jobs = ImportJob.objects.scoped(self.scope).defer("content", "errors").annotate(
            first_errors=reports.first_errors())
        job = get_object_or_404(jobs, pk=self.kwargs["pk"])
        job.kind_label = KINDS[job.kind].label if job.kind in KINDS else job.kind
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
        job = get_object_or_404(ImportJob.objects.scoped(self.scope), pk=pk)
        audit(self.scope, "import.error_report", job, format=fmt, rows=job.failed_rows)
        header, rows = reports.error_report(job)
        return sheet_response(fmt, f"import-{job.pk}-errors", str(KINDS[job.kind].label), header, rows)


class TemplateDownload(RolesGate, ScopeRequiredMixin, View):
    """An empty file with a kind's column headers (the XLSX has a second sheet describing them)."""

    read_roles = IMPORT_ROLES

    def get(self, request, kind: str, fmt: str):
        if kind not in KINDS:
            raise Http404
        return reports.template_response(KINDS[kind], fmt)


class ExportPage(RolesGate, ScopeRequiredMixin, View):
    """Choose what to export and which rows; a valid choice goes on to the download."""

    read_roles = EXPORT_ROLES

    def get(self, request):
        form = ExportForm(request.GET or None, scope=self.scope)
        if form.is_bound and form.is_valid():
            query = request.GET.copy()
            kind, fmt = query.pop("kind")[0], query.pop("fmt")[0]
            url = reverse("imports:export", kwargs={"kind": kind, "fmt": fmt})
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        return render(request, "imports/export_form.html", {"form": form}, status=400 if form.is_bound else 200)


class ExportDownload(RolesGate, ScopeRequiredMixin, View):
    """Stream one kind's rows in the scope; every export is audited as a bulk read of personal data."""

    read_roles = EXPORT_ROLES

    def get(self, request, kind: str, fmt: str):
        form = ExportFilterForm(request.GET, scope=self.scope)
        if not form.is_valid():
            page = ExportForm({**request.GET.dict(), "kind": kind, "fmt": fmt}, scope=self.scope)
            page.is_valid()
            return render(request, "imports/export_form.html", {"form": page}, status=400)
        filters = form.filters()
        audit(self.scope, f"export.{kind}", None, format=fmt, filters=reports.filters_for_audit(filters))
        stem = f"{kind}-{timezone.localdate():%Y%m%d}"
        return sheet_response(fmt, stem, str(KINDS[kind].label), export_header(kind),
                              export_rows(kind, self.scope, filters))
