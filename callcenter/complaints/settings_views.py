"""HQ keeps the complaint settings: the clock, the commitments per severity and the category tree."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from crm_site.models import audit
from crm_site.web import ScopeRequiredMixin

from ..access import COMPLAINT_SETTINGS
from ..models import ComplaintCategory, ComplaintCommitment, ComplaintSettings, Severity
from .clock import DEFAULT_COMMITMENTS


class ClockForm(forms.ModelForm):
    class Meta:
        model = ComplaintSettings
        fields = ["clock", "reescalate_hours"]


class CommitmentForm(forms.Form):
    first_contact_hours = forms.IntegerField(label=gettext_lazy("first contact within (hours)"), min_value=1,
                                             max_value=2000)
    resolution_hours = forms.IntegerField(label=gettext_lazy("resolution within (hours)"), min_value=1,
                                          max_value=5000)


class CategoryForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    parent = forms.ModelChoiceField(label=gettext_lazy("parent"), queryset=ComplaintCategory.objects.none(),
                                    required=False)


class ComplaintSettingsView(ScopeRequiredMixin, View):
    """One page: the clock and re-escalation, three commitments, and the categories (add, rename, retire)."""

    read_permission = write_permission = COMPLAINT_SETTINGS

    def objects(self):
        settings, _created = ComplaintSettings._base_manager.get_or_create(tenant_id=self.scope.tenant_id)
        rows = {c.severity: c for c in ComplaintCommitment.objects.scoped(self.scope)}
        return settings, rows

    def get(self, request):
        return self.render(request)

    def render(self, request, clock_form=None, commitment_forms=None, category_form=None, status=200):
        settings, rows = self.objects()
        categories = ComplaintCategory.objects.scoped(self.scope).select_related("parent").order_by(
            "parent__order", "order", "code")
        if commitment_forms is None:
            commitment_forms = {}
            for severity in Severity.values:
                fc, res = DEFAULT_COMMITMENTS[Severity(severity)]
                row = rows.get(severity)
                commitment_forms[severity] = CommitmentForm(prefix=severity, initial={
                    "first_contact_hours": row.first_contact_hours if row else fc,
                    "resolution_hours": row.resolution_hours if row else res})
        category_form = category_form or CategoryForm()
        category_form.fields["parent"].queryset = categories.filter(parent__isnull=True)
        return render(request, "callcenter/complaints/settings.html", {
            "clock_form": clock_form or ClockForm(instance=settings),
            "commitment_forms": [(Severity(s).label, f) for s, f in commitment_forms.items()],
            "category_form": category_form, "categories": categories,
        }, status=status)

    def post(self, request):
        part = request.POST.get("part")
        settings, rows = self.objects()
        if part == "clock":
            form = ClockForm(request.POST, instance=settings)
            if not form.is_valid():
                return self.render(request, clock_form=form, status=400)
            form.save()
            audit(self.scope, "complaint.settings", settings, **form.cleaned_data)
        elif part == "commitments":
            forms_ = {s: CommitmentForm(request.POST, prefix=s) for s in Severity.values}
            if not all(f.is_valid() for f in forms_.values()):
                return self.render(request, commitment_forms=forms_, status=400)
            with transaction.atomic():
                for severity, form in forms_.items():
                    ComplaintCommitment.objects.update_or_create(
                        tenant_id=self.scope.tenant_id, severity=severity, defaults=form.cleaned_data)
            audit(self.scope, "complaint.commitments", None,
                  **{s: f.cleaned_data for s, f in forms_.items()})
        elif part == "category":
            form = CategoryForm(request.POST)
            form.fields["parent"].queryset = ComplaintCategory.objects.scoped(self.scope).filter(
                parent__isnull=True)
            if not form.is_valid():
                return self.render(request, category_form=form, status=400)
            data = form.cleaned_data
            if ComplaintCategory.objects.scoped(self.scope).filter(code=data["code"]).exists():
                form.add_error("code", _("A category with this code already exists."))
                return self.render(request, category_form=form, status=400)
            row = ComplaintCategory.objects.create(tenant_id=self.scope.tenant_id, **data)
            audit(self.scope, "complaint.category_add", row, code=row.code)
        elif part == "retire":
            pk = request.POST.get("category", "")
            row = ComplaintCategory.objects.scoped(self.scope).filter(pk=pk).first() if pk.isdigit() else None
            if row is None:
                return self.render(request, status=400)
            row.is_active = not row.is_active
            row.save(update_fields=["is_active", "updated_at"])
            audit(self.scope, "complaint.category_active", row, active=row.is_active)
        else:
            return self.render(request, status=400)
        messages.success(request, _("Saved."))
        return redirect("callcenter:complaint-settings")
