"""Serializers of the organisation resources."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.api.serializers import ScopedModelSerializer
from crm_site.validators import normalize_mobile

from ..access import PERSONAL_DATA_GRANT, grantable_roles
from ..choices import ApiScope, placement
from ..models import ApiClient, Dealer, Region, User


class RegionSerializer(ScopedModelSerializer):
    """A sales region."""

    class Meta:
        model = Region
        fields = ["id", "code", "name", "created_at", "updated_at"]


class DealerSerializer(ScopedModelSerializer):
    """A dealer (4S store)."""

    class Meta:
        model = Dealer
        fields = ["id", "region", "code", "name", "city", "is_active", "created_at", "updated_at"]


class UserSerializer(ScopedModelSerializer):
    """A staff user; the password is write-only and checked by the password validators."""

    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"}, max_length=128)

    class Meta:
        model = User
        fields = [
            "id", "username", "full_name", "staff_code", "mobile", "email", "role", "region", "dealer",
            "is_active", "password", "last_login", "date_joined", "updated_at",
        ]
        read_only_fields = ["is_active", "last_login", "date_joined", "updated_at"]
        extra_kwargs = {"role": {"required": True, "allow_blank": False}}
        # DRF's own unique-together check would fill the dealer in as None; the model's constraints are checked in
        # full by ScopedModelSerializer instead, with the dealer the scope sets.
        validators = []

    def validate_mobile(self, value: str) -> str:
        """Stored in E.164 form ("+8613812345678"), whichever way it was typed."""
        if not (value or "").strip():
            return ""
        try:
            return normalize_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_role(self, value: str) -> str:
        """Only a role the caller may give (a dealer manager: a store's staff; dealers.access.grantable_roles)."""
        if value not in grantable_roles(self.scope):
            raise serializers.ValidationError(_("You may only give dealer staff roles."))
        return value

    def validate(self, attrs):
        role = attrs.get("role", getattr(self.instance, "role", None))
        # What the role does not keep is cleared (an HQ user has no dealer, a region manager no dealer…).
        for key, kept in zip(("dealer", "region"), placement(role, True, True), strict=True):
            if not kept:
                attrs[key] = None
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("Set a password for the new user.")]})
        password = attrs.get("password")
        if password:
            candidate = User(username=attrs.get("username", getattr(self.instance, "username", "")))
            try:
                password_validation.validate_password(password, candidate)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return super().validate(attrs)

    def create(self, validated_data):
        password = validated_data.pop("password")
        user = User(**validated_data, **self.owner_values(validated_data))
        user.set_password(password)
        user.save()
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if password:
            instance.set_password(password)
        instance.save()
        return instance


def api_resource_names() -> list[str]:
    """Names of every resource registered in the API router."""
    from crm_site.api.router import router

    return sorted(prefix for prefix, _viewset, _basename in router.registry)


class ApiClientSerializer(ScopedModelSerializer):
    """An API client; `token` appears once, in the answer to create and rotate."""

    token = serializers.CharField(read_only=True, help_text=_("Shown once: store it in the DMS now."))
    resources = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, allow_empty=True,
        help_text=_("API resources the client may use; empty means all."),
    )
    access = serializers.ChoiceField(choices=ApiScope.choices, default=ApiScope.READ)
    personal_data = serializers.BooleanField(
        required=False, help_text=_("Read mobiles in full: granted by an OEM administrator only, and audited. A "
                                    "dealer's own client reads its customers in full without it."))

    class Meta:
        model = ApiClient
        fields = [
            "id", "name", "dealer", "access", "resources", "personal_data", "key_prefix", "token",
            "created_at", "updated_at", "last_used_at", "revoked_at",
        ]
        read_only_fields = ["key_prefix", "last_used_at", "revoked_at"]

    def validate_resources(self, value: list[str]) -> list[str]:
        known = set(api_resource_names())
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(_("Unknown resources: %(names)s.") % {"names": ", ".join(unknown)})
        return sorted(set(value))

    def validate_personal_data(self, value: bool) -> bool:
        if value and not PERSONAL_DATA_GRANT.allows(self.scope):
            raise serializers.ValidationError(_("Only an OEM administrator grants personal data."))
        return value

    def save(self, **kwargs):
        # The grant goes through its service, so it is recorded in the audit log whichever way it is set.
        granted = self.validated_data.pop("personal_data", None)
        instance = super().save(**kwargs)
        if granted is not None and granted != instance.personal_data:
            from ..services import api_client_set_personal_data

            api_client_set_personal_data(scope=self.scope, client=instance, granted=granted)
        return instance

    def validate(self, attrs):
        # A store's own clients always belong to that store.
        if self.scope.single_dealer_id and self.instance is None and attrs.get("dealer") is None:
            attrs["dealer"] = Dealer.objects.get(pk=self.scope.single_dealer_id)
        return super().validate(attrs)

    def check_model_constraints(self, attrs) -> None:
        # The token is generated by the service, so only the fields given here are checked.
        return None
