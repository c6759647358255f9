"""FilterSet base: choices come from the caller's scope, plus the `updated_after` every DMS sync needs."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from crm_site.scope import scope_for_request


class ScopedFilterSet(django_filters.FilterSet):
    """Every model-choice filter offers only objects inside the caller's scope."""

    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gt", label=_("Changed after (ISO 8601)")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for_request(self.request) if self.request is not None else None
        for flt in self.filters.values():
            queryset = getattr(flt, "queryset", None)
            if queryset is not None and hasattr(queryset, "scoped"):
                flt.queryset = queryset.scoped(scope)
