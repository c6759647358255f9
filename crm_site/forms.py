"""Form base: choices limited to the scope, model constraints checked with the tenant set."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .scope import Scope


class ScopedModelForm(forms.ModelForm):
    """A model form whose related choices come from the scope and whose new rows get the scope's tenant."""

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        if self.instance.pk is None:
            self.instance.tenant_id = scope.tenant_id
            if hasattr(self.instance, "dealer_id") and "dealer" not in self.fields and scope.single_dealer_id:
                self.instance.dealer_id = scope.single_dealer_id
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "scoped"):
                field.queryset = queryset.scoped(scope)

    def validate_unique(self):
        # Constraints that include the tenant are checked too, so a duplicate is a form error, not a crash.
        exclude = self._get_validation_exclusions() - {"tenant", "dealer"}
        try:
            self.instance.validate_unique(exclude=exclude)
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)
