"""The vehicle model catalogue (车型目录): every role reads it, OEM administrators keep it."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from crm_site.forms import ScopedModelForm
from crm_site.web import ScopedCreateView, ScopedListView, ScopedUpdateView

from . import selectors
from .access import CATALOGUE_EDIT
from .filtersets import VehicleModelFilterSet
from .models import VehicleModel


class VehicleModelForm(ScopedModelForm):
    """One model of the catalogue; its code is unique in the tenant (also across upper and lower case)."""

    class Meta:
        model = VehicleModel
        fields = ["code", "series", "name", "year", "fuel_type", "price_band", "is_active"]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = VehicleModel.objects.scoped(self.scope).filter(code__iexact=code).exclude(pk=self.instance.pk)
        if code and taken.exists():
            raise forms.ValidationError(_("A model with this code already exists."), code="unique")
        return code


class CatalogueList(ScopedListView):
    """The catalogue, filtered by series, year, fuel type, price band and whether the model is on sale.

    Every role with a scope reads it, as the API lets every principal read it: consultants pick interested models
    and record sales from it. Only CATALOGUE_EDIT (OEM administrators) adds or changes models.
    """

    model = VehicleModel
    filterset_class = VehicleModelFilterSet
    write_permission = CATALOGUE_EDIT
    template_name = "vehicles/catalogue_list.html"

    def get_queryset(self):
        return super().get_queryset().order_by("series", "name", "-year", "code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        series, years = selectors.catalogue_series_and_years(self.scope)
        blank = [("", "—")]
        form.fields["series"].widget = forms.Select(choices=blank + [(name, name) for name in series])
        form.fields["year"].widget = forms.Select(choices=blank + [(year, year) for year in years])
        context["filter_active"] = bool(context["query_string"])
        return context


class CatalogueFormMixin:
    model = VehicleModel
    form_class = VehicleModelForm
    read_permission = write_permission = CATALOGUE_EDIT
    template_name = "vehicles/catalogue_form.html"
    success_url = reverse_lazy("vehicles:catalogue-list")


class CatalogueCreate(CatalogueFormMixin, ScopedCreateView):
    """Add a model to the catalogue."""

    extra_context = {"title": _("New vehicle model")}


class CatalogueUpdate(CatalogueFormMixin, ScopedUpdateView):
    """Change a model of the catalogue (taking it off sale keeps its vehicles and leads)."""
