"""Serializer and filters of the `follow-up-rules` resource (DESIGN §9.2)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm_site.api.filters import ScopedFilterSet
from crm_site.api.serializers import ScopedModelSerializer

from ..choices import Trigger
from ..models import FollowUpRule
from ..rules import clean_questions, clean_retry

RULE_API_FIELDS = ["id", "code", "name", "trigger", "offset_days", "queue", "worked_by", "purpose", "due_window_days",
                   "max_attempts", "retry_after_minutes", "priority", "script", "questions", "is_active"]


class FollowUpRuleFilterSet(ScopedFilterSet):
    """Filter rules by trigger, queue and whether they are active (and `updated_after`)."""

    trigger = django_filters.ChoiceFilter(choices=Trigger.choices, label=_("Trigger"))
    queue = django_filters.CharFilter(label=_("Queue"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = FollowUpRule
        fields = ["trigger", "queue", "is_active"]


def _checked(check, value):
    try:
        return check(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class FollowUpRuleSerializer(ScopedModelSerializer):
    """A follow-up rule: trigger + offset + queue + due window + retry spacing + script and questions."""

    retry_after_minutes = serializers.JSONField(
        required=False, help_text=_('Minutes before the next attempt per unreached outcome, e.g. '
                                    '{"no_answer": 120, "busy": 30} (1 to 10080; callback may be given too).'))
    questions = serializers.JSONField(
        required=False, help_text=_('[{"code", "text", "type": yes_no|scale|choice|text, "choices" (for choice)}], '
                                    'at most 20, codes unique.'))

    class Meta:
        model = FollowUpRule
        fields = RULE_API_FIELDS

    def validate_code(self, value: str) -> str:
        taken = FollowUpRule.objects.scoped(self.scope).filter(code=value)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(_("A rule with this code already exists."))
        return value

    def validate_retry_after_minutes(self, value) -> dict:
        return _checked(clean_retry, value)

    def validate_questions(self, value) -> list:
        return _checked(clean_questions, value)
