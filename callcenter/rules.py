"""Follow-up rules: the defaults every tenant starts with (DESIGN §4), and the checks of a rule's retry and questions."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crm_site.models import audit
from crm_site.scope import Scope

from .choices import Outcome, Purpose, QuestionType, Trigger, WorkedBy
from .models import FollowUpRule

SATISFIED = {"code": "satisfied", "text": "总体来说，您对这次的服务满意吗？（1–5 分）", "type": QuestionType.SCALE}

DEFAULT_RULES = [
    {"code": "delivery", "name": "交车回访（SSI）", "trigger": Trigger.SALE_DELIVERED, "offset_days": 3, "queue": "ssi",
         "worked_by": WorkedBy.CALL_CENTER, "purpose": Purpose.SERVICE, "due_window_days": 7, "priority": 2,
         "script": "{customer}您好，我是客户服务中心的{agent}。您{date}在{dealer}提了{model}，想了解一下您用车的感受，"
                "占用您两分钟可以吗？",
         "questions": [SATISFIED, {"code": "explained", "text": "销售顾问是否为您讲解了车辆功能和首保时间？",
                                "type": QuestionType.YES_NO}]},
    {"code": "service", "name": "维修保养回访（CSI）", "trigger": Trigger.VISIT_CLOSED, "offset_days": 3, "queue": "csi",
         "worked_by": WorkedBy.CALL_CENTER, "purpose": Purpose.SERVICE, "due_window_days": 7, "priority": 3,
         "script": "{customer}您好，我是客户服务中心的{agent}。您的车（{plate}）{date}在{dealer}做了维修保养，"
                "想了解一下您对这次服务的评价。",
         "questions": [SATISFIED, {"code": "fixed", "text": "问题是否一次修好？", "type": QuestionType.YES_NO}]},
    {"code": "first_maintenance", "name": "首保提醒", "trigger": Trigger.FIRST_MAINTENANCE_DUE, "offset_days": 150,
         "queue": "reminders", "worked_by": WorkedBy.DEALER, "purpose": Purpose.SERVICE, "due_window_days": 30, "priority": 4,
         "script": "{customer}您好，我是{dealer}的{agent}。您的{model}已到首保时间，请问您哪天方便来店？"},
    {"code": "maintenance", "name": "保养提醒", "trigger": Trigger.MAINTENANCE_DUE, "offset_days": 180,
         "queue": "reminders", "worked_by": WorkedBy.DEALER, "purpose": Purpose.SERVICE, "due_window_days": 30, "priority": 5,
         "script": "{customer}您好，我是{dealer}的{agent}。您的车（{plate}）上次保养是{date}，已到下次保养时间，"
                "需要为您预约吗？"},
    {"code": "insurance_renewal", "name": "续保提醒", "trigger": Trigger.INSURANCE_EXPIRY, "offset_days": -30,
         "queue": "insurance", "worked_by": WorkedBy.DEALER, "purpose": Purpose.MARKETING, "due_window_days": 25, "priority": 4,
         "script": "{customer}您好，我是{dealer}的{agent}。您的车险将于{date}到期，我们可以为您报价续保。"},
    {"code": "birthday", "name": "生日关怀", "trigger": Trigger.BIRTHDAY, "offset_days": 0, "queue": "care",
         "worked_by": WorkedBy.CALL_CENTER, "purpose": Purpose.SERVICE, "due_window_days": 3, "priority": 7,
         "script": "{customer}您好，我是客户服务中心的{agent}，今天是您的生日，祝您生日快乐！"},
    {"code": "win_back", "name": "流失客户召回", "trigger": Trigger.LAPSED, "offset_days": 0, "queue": "win-back",
         "worked_by": WorkedBy.DEALER, "purpose": Purpose.MARKETING, "due_window_days": 30, "priority": 6,
         "script": "{customer}您好，我是{dealer}的{agent}。您的车（{plate}）已有一年多没有回店保养了，"
                "我们为老客户准备了保养优惠，欢迎回店。"},
]


def rules_create_defaults(tenant) -> int:
    """Create the default rules a tenant lacks (by code); returns how many were created."""
    existing = set(FollowUpRule._base_manager.filter(tenant=tenant).values_list("code", flat=True))
    rows = [FollowUpRule(tenant=tenant, **spec) for spec in DEFAULT_RULES if spec["code"] not in existing]
    FollowUpRule._base_manager.bulk_create(rows)
    return len(rows)


def clean_retry(value) -> dict:
    """Retry spacing per unreached outcome: {"no_answer": minutes, "busy": minutes}, 1 minute to 7 days."""
    if value in (None, ""):
        value = {}
    if not isinstance(value, dict):
        raise ValidationError(_("Give minutes per outcome, e.g. {\"no_answer\": 120, \"busy\": 30}."))
    allowed = {Outcome.NO_ANSWER, Outcome.BUSY, Outcome.CALLBACK}
    cleaned = {}
    for key, minutes in value.items():
        if key not in allowed:
            raise ValidationError(_("%(key)s is not an outcome that is retried (no_answer, busy, callback).")
                                  % {"key": key})
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 10080:
            raise ValidationError(_("Minutes for %(key)s must be a whole number from 1 to 10080.") % {"key": key})
        cleaned[str(key)] = minutes
    return cleaned


def clean_questions(value) -> list:
    """A rule's questions: [{"code", "text", "type", "choices"?}], codes unique, at most 20."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 20:
        raise ValidationError(_("Give a list of at most 20 questions."))
    cleaned, codes = [], set()
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValidationError(_("Question %(n)s is not an object.") % {"n": number})
        code, text, kind = str(item.get("code", "")).strip(), str(item.get("text", "")).strip(), item.get("type")
        if not code or not code.replace("_", "").isalnum() or len(code) > 40:
            raise ValidationError(_("Question %(n)s needs a code of letters, digits and _.") % {"n": number})
        if code in codes:
            raise ValidationError(_("The code %(code)s is used twice.") % {"code": code})
        if not text or len(text) > 300:
            raise ValidationError(_("Question %(n)s needs a text of at most 300 characters.") % {"n": number})
        if kind not in QuestionType.values:
            raise ValidationError(_("Question %(n)s: the type must be one of %(types)s.")
                                  % {"n": number, "types": ", ".join(QuestionType.values)})
        question = {"code": code, "text": text, "type": kind}
        if kind == QuestionType.CHOICE:
            options = item.get("choices")
            if not isinstance(options, list) or not 2 <= len(options) <= 12 or not all(
                    isinstance(o, str) and o.strip() for o in options):
                raise ValidationError(_("Question %(n)s: a choice needs 2 to 12 options.") % {"n": number})
            question["choices"] = [o.strip() for o in options]
        codes.add(code)
        cleaned.append(question)
    return cleaned


def clean_answers(questions: list, answers) -> dict:
    """Answers to a rule's questions, checked one by one; unknown codes are refused, unanswered ones left out."""
    if answers in (None, ""):
        return {}
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers as an object of question code → value.")]})
    by_code = {q["code"]: q for q in questions}
    errors, cleaned = {}, {}
    for code, value in answers.items():
        question = by_code.get(code)
        if question is None:
            errors[code] = [_("There is no question %(code)s in this rule.") % {"code": code}]
            continue
        if value in (None, ""):
            continue
        kind = question["type"]
        if kind == QuestionType.SCALE:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if isinstance(value, bool) or not 1 <= number <= 5 or str(number) != str(value).strip():
                errors[code] = [_("Give a whole number from 1 to 5.")]
                continue
            cleaned[code] = number
        elif kind == QuestionType.YES_NO:
            if value in (True, "yes", "true", "1", 1):
                cleaned[code] = True
            elif value in (False, "no", "false", "0", 0):
                cleaned[code] = False
            else:
                errors[code] = [_("Answer yes or no.")]
        elif kind == QuestionType.CHOICE:
            if value not in question.get("choices", []):
                errors[code] = [_("Pick one of the options.")]
                continue
            cleaned[code] = value
        else:
            text = str(value).strip()
            if len(text) > 1000:
                errors[code] = [_("At most 1,000 characters.")]
                continue
            cleaned[code] = text
    if errors:
        raise ValidationError({f"answers.{code}": messages for code, messages in errors.items()})
    return cleaned


PLACEHOLDERS = ("customer", "model", "vin", "plate", "dealer", "date", "due_on", "agent")


def render_script(script: str, values: dict) -> str:
    """The script with its placeholders filled; an unknown or malformed placeholder is left as written."""
    parts = []
    for literal, name, spec, conversion in string.Formatter().parse(script or ""):
        parts.append(literal)
        if name is None:
            continue
        if name in PLACEHOLDERS and not spec and not conversion:
            parts.append(str(values.get(name) or "—"))
        else:
            parts.append("{" + name + (("!" + conversion) if conversion else "") + ((":" + spec) if spec else "")
                         + "}")
    return "".join(parts)


def render_script_safely(script: str, values: dict) -> str:
    """render_script that never raises: a script with an unbalanced brace is shown as written."""
    try:
        return render_script(script, values)
    except ValueError:
        return script


def rule_set_active(*, scope: Scope, rule: FollowUpRule, active: bool) -> FollowUpRule:
    """Pause or resume a rule (a paused rule creates no tasks; its open tasks stay)."""
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    audit(scope, "followup_rule.resume" if active else "followup_rule.pause", rule)
    return rule
