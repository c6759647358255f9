"""Writes of the surveys: templates (each change a new version), answers checked and scored, the closed loop."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.models import audit
from crm_site.scope import Scope

from . import scoring
from .choices import InvitationStatus, NpsCategory, QuestionType, TemplateKind
from .models import SurveyInvitation, SurveyResponse, SurveyTemplate

TEMPLATE_FIELDS = ("name", "channel", "invite_after_days", "sample_rate", "low_score_threshold", "link_valid_days",
                   "is_active")
MAX_QUESTIONS = 40
TEXT_LIMIT = 1000


def questions_clean(questions) -> list[dict]:
    """A template's question list, checked and normalised; ValidationError({"questions": [...]}) otherwise."""
    errors = []
    if not isinstance(questions, list) or not questions:
        raise ValidationError({"questions": [_("Give at least one question.")]})
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError({"questions": [_("At most %(n)s questions.") % {"n": MAX_QUESTIONS}]})
    clean, codes, overall = [], set(), 0
    for number, raw in enumerate(questions, start=1):
        where = _("Question %(n)s: ") % {"n": number}
        if not isinstance(raw, dict):
            errors.append(where + _("each question is an object with code, text and type."))
            continue
        code = str(raw.get("code", "")).strip()
        kind = raw.get("type")
        q = {"code": code, "text": str(raw.get("text", "")).strip()[:300],
             "text_en": str(raw.get("text_en", "")).strip()[:300], "type": kind,
             "factor": str(raw.get("factor", "") or "").strip()[:40], "is_overall": bool(raw.get("is_overall")),
             "required": bool(raw.get("required", kind != QuestionType.TEXT))}
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", code):
            errors.append(where + _("the code is lower-case letters, digits and _ (up to 40)."))
        elif code in codes:
            errors.append(where + _("the code %(code)s is used twice.") % {"code": code})
        codes.add(code)
        if not q["text"]:
            errors.append(where + _("the text is required."))
        if kind not in QuestionType.values:
            errors.append(where + _("the type is one of scale, nps, choice, text."))
            continue
        try:
            q["weight"] = float(raw.get("weight", 1 if kind in (QuestionType.SCALE,) else 0))
            if q["weight"] < 0 or q["weight"] > 100:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(where + _("the weight is a number from 0 to 100."))
        if kind == QuestionType.SCALE:
            try:
                low, high = int(raw.get("scale_min", 1)), int(raw.get("scale_max", 5))
            except (TypeError, ValueError):
                low = high = 0
            if low == high or abs(high - low) > 10 or min(low, high) < 0:
                errors.append(where + _("the scale runs between two different whole numbers 0–10 apart at most."))
            q["scale_min"], q["scale_max"] = low, high
        elif kind == QuestionType.NPS:
            q["scale_min"], q["scale_max"] = 0, 10
        elif kind == QuestionType.CHOICE:
            options = raw.get("choices")
            if not isinstance(options, list) or not options or len(options) > 20:
                errors.append(where + _("a choice question lists 1 to 20 choices."))
                options = []
            q["choices"] = [str(o).strip()[:100] for o in options]
        if q["is_overall"]:
            overall += 1
            if kind not in (QuestionType.SCALE, QuestionType.NPS):
                errors.append(where + _("the overall question is a scale or NPS question."))
        clean.append(q)
    if overall != 1:
        errors.append(_("Mark exactly one question as the overall satisfaction question."))
    if errors:
        raise ValidationError({"questions": errors})
    return clean


def _check_settings(template: SurveyTemplate) -> None:
    template.full_clean(exclude=["tenant", "created_by", "code", "kind"], validate_constraints=False)


@transaction.atomic
def template_create(*, scope: Scope, data: dict) -> SurveyTemplate:
    """Add a template (version 1)."""
    code = str(data.get("code", "")).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", code):
        raise ValidationError({"code": [_("Lower-case letters, digits, - and _ (up to 40).")]})
    if SurveyTemplate._base_manager.filter(tenant_id=scope.tenant_id, code=code).exists():
        raise ValidationError({"code": [_("A template with this code already exists.")]})
    if data.get("kind") not in TemplateKind.values:
        raise ValidationError({"kind": [_("Choose a kind.")]})
    template = SurveyTemplate(tenant_id=scope.tenant_id, code=code, kind=data["kind"], version=1,
                              questions=questions_clean(data.get("questions")), created_by_id=scope.user_id)
    for name in TEMPLATE_FIELDS:
        if name in data:
            setattr(template, name, data[name])
    _check_settings(template)
    template.save()
    audit(scope, "survey.template_create", template)
    return template


@transaction.atomic
def template_update(*, scope: Scope, template: SurveyTemplate, data: dict) -> SurveyTemplate:
    """Change a template: a new version becomes current, the old one stays with the responses that answered it.

    Only settings that do not change what a customer is asked (name, sampling, threshold…) with unchanged
    questions still make a version, so an index can always be traced to the exact template it came from.
    """
    current = SurveyTemplate._base_manager.select_for_update().get(pk=template.pk)
    if not current.is_current:
        raise ValidationError({"version": [_("This is an old version; edit the current one.")]})
    questions = questions_clean(data["questions"]) if "questions" in data else current.questions
    new = SurveyTemplate(tenant_id=current.tenant_id, code=current.code, kind=current.kind,
                         version=current.version + 1, questions=questions, created_by_id=scope.user_id)
    for name in TEMPLATE_FIELDS:
        setattr(new, name, data.get(name, getattr(current, name)))
    _check_settings(new)
    SurveyTemplate._base_manager.filter(pk=current.pk).update(is_current=False, updated_at=timezone.now())
    new.save()
    audit(scope, "survey.template_update", new, previous=current.pk, version=new.version)
    return new


def create_tenant_templates(tenant) -> None:
    """Every tenant starts with the SSI-style, CSI-style and dealer templates and the survey-call rule."""
    from .defaults import DEFAULT_TEMPLATES
    from .invitations import survey_call_rule

    for entry in DEFAULT_TEMPLATES:
        if not SurveyTemplate._base_manager.filter(tenant_id=tenant.pk, code=entry["code"]).exists():
            SurveyTemplate._base_manager.create(tenant_id=tenant.pk, **entry)
    survey_call_rule(tenant.pk)


def answers_clean(template: SurveyTemplate, answers) -> dict:
    """Answers checked question by question (range, choice, required); errors keyed by question code.

    `answers` is [{"question": code, "value": …}] (the API) or {code: value} (a form).
    """
    if isinstance(answers, list):
        pairs = {}
        for item in answers:
            if not isinstance(item, dict) or "question" not in item:
                raise ValidationError({"answers": [_("Each answer is {\"question\": code, \"value\": …}.")]})
            pairs[str(item["question"])] = item.get("value")
        answers = pairs
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers.")]})
    errors, clean = {}, {}
    known = {q["code"] for q in template.questions}
    for code in answers:
        if code not in known:
            errors[code] = [_("This survey has no question %(code)s.") % {"code": code}]
    for q in template.questions:
        value = answers.get(q["code"])
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if q.get("required"):
                errors[q["code"]] = [_("Please answer this question.")]
            continue
        kind = q["type"]
        if kind in (QuestionType.SCALE, QuestionType.NPS):
            low, high = scoring.bounds(q)
            try:
                number = int(str(value))
            except (TypeError, ValueError):
                number = None
            if number is None or not min(low, high) <= number <= max(low, high):
                errors[q["code"]] = [_("Choose a whole number from %(low)s to %(high)s.") % {
                    "low": min(low, high), "high": max(low, high)}]
                continue
            clean[q["code"]] = number
        elif kind == QuestionType.CHOICE:
            if str(value) not in q.get("choices", []):
                errors[q["code"]] = [_("Choose one of the choices.")]
                continue
            clean[q["code"]] = str(value)
        else:
            if len(str(value)) > TEXT_LIMIT:
                errors[q["code"]] = [_("At most %(n)s characters.") % {"n": TEXT_LIMIT}]
                continue
            clean[q["code"]] = str(value)
    if errors:
        raise ValidationError(errors)
    return clean


def _month(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date().replace(day=1)


def _consume(invitation: SurveyInvitation, at: dt.datetime) -> None:
    """Mark the invitation answered if it is still pending and valid; one row changes or the link was spent."""
    changed = SurveyInvitation._base_manager.filter(
        pk=invitation.pk, status=InvitationStatus.PENDING, expires_at__gt=at,
    ).update(status=InvitationStatus.ANSWERED, answered_at=at, updated_at=at)
    if changed != 1:
        current = SurveyInvitation._base_manager.filter(pk=invitation.pk).values_list("status", flat=True).first()
        if current == InvitationStatus.ANSWERED:
            raise ValidationError({"invitation": [_("This survey was already answered.")]})
        raise ValidationError({"invitation": [_("This survey invitation has expired or was closed.")]})


@transaction.atomic
def response_record(*, scope: Scope, invitation: SurveyInvitation, answers, via: str, respondent=None,
                    remote_addr: str | None = None, at: dt.datetime | None = None) -> SurveyResponse:
    """Save a survey's answers with their scores, spend the invitation, and open a complaint for a low score."""
    at = at or timezone.now()
    if invitation.tenant_id != scope.tenant_id or not scope.sees_dealer(invitation.dealer_id):
        raise ValidationError({"invitation": [_("Unknown invitation.")]})
    template = invitation.template
    clean = answers_clean(template, answers)
    _consume(invitation, at)
    result = scoring.score(template.questions, clean)
    response = SurveyResponse(
        tenant_id=invitation.tenant_id, dealer_id=invitation.dealer_id, invitation=invitation, template=template,
        family=template.code, kind=template.kind, month=_month(at), customer_id=invitation.customer_id,
        respondent=respondent, staff_id=invitation.staff_id, via=via, answers=clean, index=result.index,
        factors=result.factors, top_box=result.top_box, all_max=result.all_max, nps_score=result.nps_score,
        nps_category=result.nps_category, remote_addr=remote_addr, answered_at=at,
    )
    response.save()
    if _is_unhappy(template, response):
        response_open_complaint(scope=scope, response=response, at=at)
    audit(scope, "survey.response", response, index=response.index, via=via)
    return response


def _is_unhappy(template: SurveyTemplate, response: SurveyResponse) -> bool:
    below = response.index is not None and response.index < template.low_score_threshold
    return below or response.nps_category == NpsCategory.DETRACTOR


def response_open_complaint(*, scope: Scope, response: SurveyResponse, at: dt.datetime | None = None):
    """The closed loop: one complaint (channel survey) for the dealer, linked to the response; none twice."""
    from callcenter.complaints.services import complaint_open

    if response.complaint_id or response.customer_id is None:
        return None
    invitation = response.invitation
    index = "—" if response.index is None else f"{response.index:.0f}"
    description = _("Survey %(survey)s answered with index %(index)s of 1000%(nps)s.") % {
        "survey": response.template.name, "index": index,
        "nps": _(", recommend %(n)s of 10") % {"n": response.nps_score} if response.nps_score is not None else ""}
    comment = next((v for q in response.template.questions if q["type"] == QuestionType.TEXT
                    for v in [response.answers.get(q["code"])] if v), "")
    if comment:
        description += "\n" + comment
    severity = "high" if response.index is not None and response.index < response.template.low_score_threshold / 2 \
        else "normal"
    # The complaint is the store's: an anonymous link works with the tenant's system scope.
    complaint = complaint_open(scope=scope if scope.sees_dealer(response.dealer_id) else Scope.system(scope.tenant_id),
                               channel="survey", customer=response.customer, dealer=response.dealer,
                               severity=severity, description=description[:4000], vehicle=invitation.vehicle,
                               follow_up=invitation.follow_up, at=at)
    SurveyResponse._base_manager.filter(pk=response.pk, complaint__isnull=True).update(complaint=complaint)
    response.complaint = complaint
    return complaint


@transaction.atomic
def invitation_decline(*, scope: Scope, invitation: SurveyInvitation) -> SurveyInvitation:
    """The customer would rather not answer: the invitation closes and nothing is scored."""
    SurveyInvitation._base_manager.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.DECLINED, updated_at=timezone.now())
    invitation.refresh_from_db()
    audit(scope, "survey.decline", invitation)
    return invitation


@transaction.atomic
def dealer_survey_invite(*, scope: Scope, template: SurveyTemplate, period: str,
                         at: dt.datetime | None = None) -> int:
    """HQ invites the manager(s) of each of its active dealers to the dealer survey for a period (YYYY-MM)."""
    from dealers.choices import Role
    from dealers.models import User

    at = at or timezone.now()
    if template.kind != TemplateKind.DEALER or template.tenant_id != scope.tenant_id:
        raise ValidationError({"template": [_("Choose a dealer survey template.")]})
    if not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", period or ""):
        raise ValidationError({"period": [_("Give the period as YYYY-MM.")]})
    managers = User.objects.filter(tenant_id=scope.tenant_id, role=Role.DEALER_MANAGER, is_active=True,
                                   dealer__is_active=True).values_list("pk", "dealer_id")
    expires = at + dt.timedelta(days=template.link_valid_days)
    rows = [SurveyInvitation(tenant_id=scope.tenant_id, dealer_id=dealer, template=template, kind=template.kind,
                             subject_kind="dealer", subject_id=user, subject_on=timezone.localtime(at).date(),
                             period=period, channel="link", expires_at=expires, nonce=_nonce(), invitee_id=user)
            for user, dealer in managers]
    already = SurveyInvitation._base_manager.filter(tenant_id=scope.tenant_id, kind=template.kind, period=period)
    before = already.count()
    SurveyInvitation._base_manager.bulk_create(rows, ignore_conflicts=True)
    invited = already.count() - before
    audit(scope, "survey.dealer_invite", template, period=period, invited=invited)
    return invited


def _nonce() -> str:
    import secrets

    return secrets.token_hex(16)
