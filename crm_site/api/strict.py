"""Unknown fields in a write answer 400 naming the field, in every serializer (an integrator who misspells
`scopes` must not believe it was applied).

DRF drops unknown keys silently; `install()` makes every `Serializer.to_internal_value` refuse them, once for the
whole project, so no serializer can forget. A serializer that takes free-form keys sets `allow_unknown_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

UNKNOWN_FIELD = _("Unknown field: this resource has no field of this name.")


def unknown_fields(serializer: serializers.Serializer, data) -> list[str]:
    """The keys of the input the serializer has no field for (read-only fields count as known)."""
    if not isinstance(data, Mapping) or getattr(serializer, "allow_unknown_fields", False):
        return []
    known = set(serializer.fields)
    return sorted(str(key) for key in data if key not in known)


def install() -> None:
    """Wrap Serializer.to_internal_value to refuse unknown keys (idempotent)."""
    original = serializers.Serializer.to_internal_value
    if getattr(original, "_crm_strict", False):
        return

    def to_internal_value(self, data):
        unknown = unknown_fields(self, data)
        if unknown:
            raise serializers.ValidationError({key: [UNKNOWN_FIELD] for key in unknown})
        return original(self, data)

    to_internal_value._crm_strict = True
    serializers.Serializer.to_internal_value = to_internal_value
