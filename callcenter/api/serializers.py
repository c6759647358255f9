"""Serializers of follow-ups (the queue) and calls (DESIGN §9.2)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.api.fields import dealer_field
from crm_site.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from customers.models import Customer
from vehicles.models import Vehicle

from ..choices import CallCategory, CallKind, Direction, Outcome
from ..models import Call, FollowUpTask


class FollowUpSerializer(serializers.ModelSerializer):
    """A follow-up task as the agents' tools and the DMS read it."""

    rule_code = serializers.CharField(source="rule.code", read_only=True)

    class Meta:
        model = FollowUpTask
        fields = ["id", "rule", "rule_code", "queue", "worked_by", "customer", "vehicle", "dealer", "trigger_on",
                  "due_on", "expires_on", "priority", "status", "attempts", "assigned_to", "claimed_until",
                  "outcome", "next_attempt_at", "callback_at", "notes", "answers", "closed_at", "updated_at"]
        read_only_fields = fields


class ClaimSerializer(serializers.Serializer):
    """`claim-next` body: optionally the queue to take from."""

    queue = serializers.SlugField(required=False, allow_blank=True, max_length=40)


class ClaimedSerializer(FollowUpSerializer):
    """The claimed task, with the other tasks of the same customer taken in the same call."""

    bundle = serializers.SerializerMethodField(help_text=_("Ids of the customer's other tasks worked in this call."))

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "bundle"]
        read_only_fields = fields

    def get_bundle(self, obj) -> list[int]:
        return [pk for pk in self.context.get("bundle", []) if pk != obj.pk]


class OutcomeSerializer(serializers.Serializer):
    """What the holder records for the call."""

    outcome = serializers.ChoiceField(choices=Outcome.choices)
    callback_at = serializers.DateTimeField(required=False, allow_null=True,
                                            help_text=_("Required for callback: when to call back."))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    answers = serializers.DictField(required=False, help_text=_("The rule's questions: code → value."))
    do_not_call = serializers.BooleanField(required=False, default=False,
                                           help_text=_("With refused: the customer asked never to be called."))
    duration_s = serializers.IntegerField(required=False, min_value=0, max_value=86400, default=0)


class RenewedSerializer(serializers.Serializer):
    claimed_until = serializers.DateTimeField()


class CallSerializer(ScopedModelSerializer):
    """A call or key-account visit; the agent is whoever logs it."""

    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    vehicle = ScopedPrimaryKeyRelatedField(queryset=Vehicle.objects.all(), required=False, allow_null=True)
    dealer = dealer_field(allow_null=True)
    direction = serializers.ChoiceField(choices=Direction.choices)
    kind = serializers.ChoiceField(choices=CallKind.choices, required=False, default=CallKind.PHONE)
    category = serializers.ChoiceField(choices=CallCategory.choices, required=False, default=CallCategory.INQUIRY)

    class Meta:
        model = Call
        fields = ["id", "direction", "kind", "customer", "vehicle", "dealer", "caller_number", "caller_name",
                  "agent", "started_at", "duration_s", "category", "outcome", "notes", "follow_up", "lead",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "agent", "outcome", "follow_up", "lead", "created_at", "updated_at"]
        extra_kwargs = {"started_at": {"required": False}}

    def validate(self, attrs):
        # The service checks the call as a whole (calls.clean_call); the model's checks would only repeat it.
        return attrs
