"""Serializer base: related fields limited to the scope, model constraints checked as field errors."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.scope import scope_for_request


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id is accepted only if the object is inside the caller's scope (else 'does not exist')."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        scope = scope_for_request(request) if request is not None else None
        if hasattr(queryset, "scoped"):
            return queryset.scoped(scope)
        return queryset.none()

    def to_internal_value(self, data):
        # Ids beyond bigint would reach PostgreSQL as an error: reject them as "does not exist" instead.
        if isinstance(data, bool) or (isinstance(data, int) and not -(2**63) < data < 2**63):
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and data.isdigit() and len(data) > 18:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class ScopedModelSerializer(serializers.ModelSerializer):
    """Model serializer whose foreign keys are scoped and whose model constraints answer 400, not 500."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    @property
    def scope(self):
        """The caller's scope."""
        return scope_for_request(self.context["request"])

    def owner_values(self, attrs: dict) -> dict:
        """Tenant (and dealer, when the scope has just one and none was given) that the server sets on a new row."""
        values = {"tenant_id": self.scope.tenant_id}
        model = self.Meta.model
        needs_dealer = self.instance is None and _has_field(model, "dealer") and attrs.get("dealer") is None
        if needs_dealer and self.scope.single_dealer_id:
            values["dealer_id"] = self.scope.single_dealer_id
        return values

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        dealer_field = _model_field(model, "dealer")
        dealer_required = self.instance is None and dealer_field is not None and not dealer_field.null
        if dealer_required and attrs.get("dealer") is None and not self.scope.single_dealer_id:
            raise serializers.ValidationError({"dealer": [_("Choose the dealer.")]})
        self.check_model_constraints(attrs)
        return attrs

    def check_model_constraints(self, attrs) -> None:
        """Run the model's field checks and constraints on the would-be row, so a violation is a field error."""
        model = self.Meta.model
        if self.instance is not None:
            candidate = model.objects.get(pk=self.instance.pk) if self.instance.pk else self.instance
        else:
            candidate = model()
            for name, value in self.owner_values(attrs).items():
                setattr(candidate, name, value)
        many = {}
        for name, value in attrs.items():
            field = _model_field(model, name)
            if field is not None and field.many_to_many:
                many[name] = value
            elif field is not None:
                setattr(candidate, name, value)
        # Fields the client could have sent count even when omitted: their defaults must satisfy the constraints too.
        checked = set(attrs) | {"tenant", "dealer"} | {n for n, f in self.fields.items() if not f.read_only}
        if self.instance is not None:
            checked |= {f.name for f in model._meta.concrete_fields if f.editable}
        exclude = {f.name for f in model._meta.concrete_fields if f.name not in checked}
        try:
            candidate.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc

    def create(self, validated_data):
        validated_data.update(self.owner_values(validated_data))
        return super().create(validated_data)


def _model_field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _has_field(model, name: str) -> bool:
    return _model_field(model, name) is not None
