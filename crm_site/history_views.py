"""The history panel page (`/history/<subject>/<pk>/`): a fragment for the object's page (htmx), or a page of its own."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from .access import allowed
from .history_panel import PAGE, history_entries
from .registry import registry
from .web import ScopeRequiredMixin


class HistoryPanel(ScopeRequiredMixin, View):
    """Who may see an object sees its history (and, for some subjects, those holding the subject's permission)."""

    def get(self, request, subject: str, pk: int):
        entry = registry["history_subjects"].get(subject)
        if entry is None or not allowed(entry.permission, self.scope):
            raise Http404
        obj = entry.model.objects.scoped(self.scope).filter(pk=pk).first()
        if obj is None:
            raise Http404
        try:
            limit = int(request.GET.get("limit") or PAGE)
        except ValueError:
            limit = PAGE
        entries, more = history_entries(scope=self.scope, subject=entry, obj=obj, limit=limit)
        context = {"object": obj, "entries": entries, "more": more, "next_limit": len(entries) + PAGE,
                   "url": reverse("history", args=[subject, pk])}
        fragment = request.headers.get("HX-Request") == "true"
        return render(request, "history/_panel.html" if fragment else "history/page.html", context)
