"""The customer's data-subject rights page (PIPL): export everything held (JSON or a readable page), erase."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ..access import DATA_SUBJECT_RIGHTS
from ..data_subject import customer_erase, customer_export
from ..models import DataSubjectRequest
from .customers import CustomerScopedMixin


class EraseForm(forms.Form):
    """An erasure needs a reason and the name typed again, so it is never a slip of the mouse."""

    reason = forms.CharField(label=gettext_lazy("Request (date, channel, reference)"), max_length=255)
    confirm_name = forms.CharField(label=gettext_lazy("Type the customer's name to confirm"), max_length=100)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_confirm_name(self):
        value = self.cleaned_data["confirm_name"].strip()
        if value != self.customer.name:
            raise ValidationError(_("This is not the customer's name."))
        return value


class CustomerDataRights(CustomerScopedMixin, View):
    """What is held, the requests so far, and the erasure form."""

    read_permission = write_permission = DATA_SUBJECT_RIGHTS
    template_name = "customers/data_subject.html"

    def render_page(self, request, customer, form=None, exported=None):
        return render(request, self.template_name, {
            "customer": customer, "form": form or EraseForm(customer=customer), "exported": exported,
            "requests": DataSubjectRequest.objects.filter(customer=customer).select_related("requested_by")[:50],
        })

    def get(self, request, pk: int):
        customer = self.get_customer(pk)
        if request.GET.get("view") == "export":
            return self.render_page(request, customer, exported=customer_export(scope=self.scope, customer=customer))
        return self.render_page(request, customer)

    def post(self, request, pk: int):
        customer = self.get_customer(pk)
        form = EraseForm(request.POST, customer=customer)
        if form.is_valid():
            try:
                customer_erase(scope=self.scope, customer=customer, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The customer was erased; the records behind the figures are kept."))
                return redirect("customers:detail", pk=customer.pk)
        return self.render_page(request, customer, form)


class CustomerDataExport(CustomerScopedMixin, View):
    """GET: everything held about the customer as a JSON file (recorded as a request)."""

    read_permission = DATA_SUBJECT_RIGHTS

    def get(self, request, pk: int):
        customer = self.get_customer(pk)
        data = customer_export(scope=self.scope, customer=customer)
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
        return response
