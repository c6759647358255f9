"""Serializers of the survey resources (DESIGN §9.4)."""

from __future__ import annotations

from rest_framework import serializers

from ..links import link_url
from ..models import SurveyInvitation, SurveyResponse, SurveyTemplate


class SurveyTemplateSerializer(serializers.ModelSerializer):
    questions = serializers.JSONField()

    class Meta:
        model = SurveyTemplate
        fields = ["id", "code", "name", "kind", "version", "is_current", "questions", "channel", "invite_after_days",
                  "sample_rate", "low_score_threshold", "link_valid_days", "is_active", "created_at"]
        read_only_fields = ["version", "is_current", "created_at"]
        # The service checks the code (unique per tenant) and every question.
        extra_kwargs = {"code": {"validators": []}}


class SurveyInvitationSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = SurveyInvitation
        fields = ["id", "template", "kind", "customer", "vehicle", "dealer", "subject", "period", "channel", "status",
                  "expires_at", "follow_up", "url", "answered_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_subject(self, obj) -> dict:
        return {"kind": obj.subject_kind, "id": obj.subject_id, "on": obj.subject_on.isoformat()}

    def get_url(self, obj) -> str:
        """The link, for a pending invitation by link (empty otherwise)."""
        if obj.channel != "link" or obj.status != "pending":
            return ""
        return link_url(obj, self.context.get("request"))


class AnswerSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=40)
    value = serializers.JSONField(allow_null=True)


class SurveyResponseSerializer(serializers.ModelSerializer):
    invitation = serializers.PrimaryKeyRelatedField(queryset=SurveyInvitation.objects.none())
    answers = serializers.SerializerMethodField()
    answers_in = AnswerSerializer(many=True, write_only=True, source="answers_input")

    class Meta:
        model = SurveyResponse
        fields = ["id", "invitation", "template", "kind", "dealer", "customer", "via", "answers", "answers_in",
                  "index", "factors", "top_box", "nps_score", "nps_category", "complaint", "answered_at",
                  "created_at", "updated_at"]
        read_only_fields = ["template", "kind", "dealer", "customer", "via", "index", "factors", "top_box",
                            "nps_score", "nps_category", "complaint", "answered_at", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        view = self.context.get("view")
        if view is not None and getattr(view, "scope", None) is not None:
            # An invitation outside the scope reads as unknown.
            self.fields["invitation"].queryset = SurveyInvitation.objects.scoped(view.scope)

    def to_internal_value(self, data):
        # The contract names the list "answers"; the read side shows them as {code: value}.
        if hasattr(data, "get") and "answers" in data and "answers_in" not in data:
            data = {**data, "answers_in": data.get("answers")}
        return super().to_internal_value(data)

    def get_answers(self, obj) -> list[dict]:
        return [{"question": code, "value": value} for code, value in obj.answers.items()]
