"""Serializer pieces shared by the domain resources: Chinese data fields and the dealer a write belongs to."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.scope import dealer_model

from .serializers import ScopedPrimaryKeyRelatedField


class NormalizedCharField(serializers.CharField):
    """A text field cleaned by one of the validators' normalisers (VIN, mobile, plate, ID number)."""

    def __init__(self, normalizer: Callable[[str], str], **kwargs):
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            return self.normalizer(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


def dealer_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    """The dealer a write is for: taken from a one-dealer scope, required from tenant-wide callers."""
    kwargs.setdefault("help_text", _("Dealer the record belongs to; only needed when your scope has several dealers."))
    return ScopedPrimaryKeyRelatedField(queryset=dealer_model().objects.all(), required=False, **kwargs)


def resolve_dealer_id(serializer, attrs: dict, *, required: bool = True) -> int | None:
    """The dealer of a write: the one given (already checked in scope), else the scope's only dealer."""
    dealer = attrs.get("dealer")
    if dealer is not None:
        return dealer.pk
    single = serializer.scope.single_dealer_id
    if single is None and required:
        raise serializers.ValidationError({"dealer": [_("Choose the dealer.")]})
    return single


def reject_change(instance, attrs: dict, field: str, message) -> None:
    """Refuse a change of a field that identifies the record (its dealer, vehicle or customer)."""
    if instance is None or field not in attrs:
        return
    value = attrs[field]
    current = getattr(instance, f"{field}_id", None)
    if (value.pk if value is not None else None) != current:
        raise serializers.ValidationError({field: [message]})


def check_external_id_free(model, dealer_id: int | None, external_id: str | None, instance=None) -> None:
    """A dealer's external id names one record of a kind: refuse one already used by another."""
    if not external_id or dealer_id is None:
        return
    taken = model.objects.filter(dealer_id=dealer_id, external_id=external_id)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise serializers.ValidationError({"external_id": [_("This external id is already used at this dealer.")]})
