"""FilterSet base: choices come from the caller's scope, plus the `updated_after` every DMS sync needs."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.request import Request

from crm_site.scope import Scope, dealer_model, scope_for_request


def _used(name: str, data) -> bool:
    """Whether the query string sets this filter, directly or through a multi-part widget (name_min, name_after…)."""
    return any(key == name or key.startswith(f"{name}_") for key in data)


def scope_sees_dealer(scope: Scope | None, dealer_id: int) -> bool:
    """Whether a dealer id is inside the scope; a dealer-bound scope answers without a query."""
    if scope is None:
        return False
    if scope.dealer_ids is not None:
        return dealer_id in scope.dealer_ids
    return dealer_model().objects.filter(tenant_id=scope.tenant_id, pk=dealer_id).exists()


@extend_schema_field(OpenApiTypes.INT)
class DealerFilter(django_filters.Filter):
    """`dealer=<id>`: a dealer outside the scope is a 400, like a model choice, but a one-dealer scope needs no query."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        kwargs.setdefault("label", _("Dealer"))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        if self.check_in_scope not in field.validators:
            field.validators.append(self.check_in_scope)
        return field

    def check_in_scope(self, value: int) -> None:
        if not 0 < value < 2**63:
            return  # the range validators already refused it
        request = getattr(self.parent, "request", None)
        if not scope_sees_dealer(scope_for_request(request) if request is not None else None, value):
            # The same words as a model choice outside the scope (Django's own, translated message).
            raise ValidationError(forms.ModelChoiceField.default_error_messages["invalid_choice"], code="invalid_choice")


class ScopedFilterSet(django_filters.FilterSet):
    """Every model-choice filter offers only objects inside the caller's scope."""

    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gt", label=_("Changed after (ISO 8601)")
    )

    def __init__(self, data=None, *args, request=None, **kwargs):
        if data is not None and isinstance(request, Request):
            # An API list never renders the form, so only the filters its query string uses are built (and
            # copied, and scoped): that costs more than the page query itself. Pages keep every filter.
            self.base_filters = {name: flt for name, flt in self.base_filters.items() if _used(name, data)}
        super().__init__(data, *args, request=request, **kwargs)
        scope = scope_for_request(self.request) if self.request is not None else None
        for flt in self.filters.values():
            queryset = getattr(flt, "queryset", None)
            if queryset is not None and hasattr(queryset, "scoped"):
                flt.queryset = queryset.scoped(scope)
