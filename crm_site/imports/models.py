"""Import jobs: an uploaded file imported in the background with a progress count."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.models import ScopedManager, dealer_scope_q
from crm_site.scope import Scope

from .messages import render_all


class ImportJob(models.Model):
    """A CSV or XLSX file a dealer uploaded, imported in chunks in the background with a progress count."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey(settings.CRM_TENANT_MODEL, on_delete=models.CASCADE, related_name="+")
    dealer = models.ForeignKey(settings.CRM_DEALER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    kind = models.CharField(_("what"), max_length=32)
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=255, blank=True)
    # The message untranslated (messages.entry dicts), translated when shown; `message` keeps it in English.
    message_entries = models.JSONField(default=list, blank=True)

    objects = ScopedManager()

    class Meta:
        # The table the core created before the engine became an app of its own; kept, so no data moves.
        db_table = "crm_site_importjob"
        ordering = ["-created_at", "-id"]

    @property
    def message_text(self) -> str:
        """The job's message in the reader's language (jobs stored before message_entries keep their text)."""
        return render_all(self.message_entries) if self.message_entries else self.message

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        """Imports of the dealers the scope sees."""
        return dealer_scope_q(scope)
