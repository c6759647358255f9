"""Serializers of the `complaints` resource and of its actions (acknowledge, note, resolve, confirm, escalate …)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.api.fields import dealer_field, reject_change, resolve_dealer_id
from crm_site.api.serializers import ScopedModelSerializer

from ..models import Complaint, ComplaintChannel, ComplaintEvent


class ComplaintEventSerializer(serializers.ModelSerializer):
    """One step of the timeline."""

    class Meta:
        model = ComplaintEvent
        fields = ["id", "kind", "at", "text", "from_level", "to_level", "actor", "detail"]
        read_only_fields = fields


class ComplaintSerializer(ScopedModelSerializer):
    """A complaint; status, level, due times and events change only through the actions."""

    dealer = dealer_field(help_text=_("The responsible dealer; only needed when your scope has several dealers."))
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices, required=False,
                                      help_text=_("Defaults to `dealer` for a dealer's staff and systems."))
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "number", "channel", "customer", "vehicle", "dealer", "category", "severity", "description",
                  "status", "level", "owner", "opened_at", "first_contact_due", "resolution_due", "first_contact_at",
                  "resolved_at", "closed_at", "waiting_since", "resolution", "reopen_count", "follow_up",
                  "created_at", "updated_at", "events"]
        read_only_fields = ["number", "status", "level", "owner", "opened_at", "first_contact_due", "resolution_due",
                            "first_contact_at", "resolved_at", "closed_at", "waiting_since", "resolution",
                            "reopen_count", "follow_up", "created_at", "updated_at"]
        extra_kwargs = {"customer": {"required": False}}

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("dealer", "customer"):
                reject_change(self.instance, attrs, name, _("A complaint keeps its dealer and customer."))
            if "channel" in attrs and attrs["channel"] != self.instance.channel:
                raise serializers.ValidationError({"channel": [_("A complaint keeps its channel.")]})
            return attrs
        attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        if attrs.get("customer") is None:
            raise serializers.ValidationError({"customer": [_("This field is required.")]})
        if not attrs.get("channel"):
            if self.scope.single_dealer_id is None and not self.scope.is_api_client:
                raise serializers.ValidationError({"channel": [_("This field is required.")]})
            attrs["channel"] = ComplaintChannel.DEALER
        if not (attrs.get("description") or "").strip():
            raise serializers.ValidationError({"description": [_("This field is required.")]})
        return attrs


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                 help_text=_("What was said in the first contact."))


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class WaitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000)


class ConfirmSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text=_("Whether the customer accepted the resolution."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                 help_text=_("What the customer said; needed when rejected."))


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


ACTION_SERIALIZERS = {
    "acknowledge": AcknowledgeSerializer, "note": NoteSerializer, "wait": WaitSerializer, "resume": WaitSerializer,
    "resolve": ResolveSerializer, "confirm": ConfirmSerializer, "escalate": EscalateSerializer,
}
