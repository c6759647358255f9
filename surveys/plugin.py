"""What the surveys register with the core (called from SurveysConfig.ready): menu, defaults, 360, call screen."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.plugins import CallSection, TimelineSource
from crm_site.timeline import TimelineEvent

from .defaults import SURVEY_CALL_RULE

FIELD_PREFIX = "survey-"


def question_text(question: dict) -> str:
    """The question as the reader's language shows it (Chinese text, English where given and wanted)."""
    from django.utils.translation import get_language

    if (get_language() or "").startswith("en") and question.get("text_en"):
        return question["text_en"]
    return question.get("text", "")


def shown_questions(template, values: dict, errors: dict) -> list[dict]:
    """The template's questions with what the page needs: text, the scale's points, the typed value, errors."""
    from . import scoring

    rows = []
    for q in template.questions:
        row = dict(q, label=question_text(q), value=values.get(q["code"], ""), errors=errors.get(q["code"], []))
        if q["type"] in ("scale", "nps"):
            low, high = scoring.bounds(q)
            step = 1 if high >= low else -1
            row["points"] = [str(n) for n in range(low, high + step, step)]
        rows.append(row)
    return rows


def _response_event(response) -> TimelineEvent:
    index = "—" if response.index is None else f"{response.index:.0f}"
    return TimelineEvent(
        at=response.answered_at, kind="survey", dealer_id=response.dealer_id, dealer_name=response.dealer.name,
        title=_("%(survey)s answered: index %(index)s") % {"survey": response.template.name, "index": index},
        object_type="survey_response", object_id=response.pk,
        link=reverse("surveys:response-detail", args=[response.pk]),
        detail={"index": response.index, "nps": response.nps_score, "top_box": response.top_box,
                "complaint": response.complaint_id},
    )


def _invitation_of(task):
    from .models import SurveyInvitation

    return SurveyInvitation._base_manager.filter(tenant_id=task.tenant_id, pk=task.subject_id).select_related(
        "template", "dealer").first()


def _call_context(scope, task, data, errors) -> dict:
    invitation = _invitation_of(task)
    if invitation is None:
        return {"invitation": None}
    values = {}
    if data is not None:
        values = {q["code"]: data.get(FIELD_PREFIX + q["code"], "") for q in invitation.template.questions}
    return {"invitation": invitation, "survey": invitation.template, "prefix": FIELD_PREFIX,
            "questions": shown_questions(invitation.template, values, errors or {}),
            "general_errors": (errors or {}).get("invitation", []) + (errors or {}).get("__all__", [])}


def _call_save(scope, task, data, outcome) -> None:
    """Save the answers read in the call, only when the customer was reached."""
    from .choices import AnsweredVia, InvitationStatus
    from .services import response_record

    if outcome != "reached":
        return
    invitation = _invitation_of(task)
    if invitation is None or invitation.status != InvitationStatus.PENDING:
        return
    answers = {q["code"]: data.get(FIELD_PREFIX + q["code"], "") for q in invitation.template.questions}
    if not any(str(v).strip() for v in answers.values()):
        raise ValidationError({"invitation": [_("Read the survey and enter the answers, or choose another outcome.")]})
    from dealers.models import User

    response_record(scope=scope, invitation=invitation, answers=answers, via=AnsweredVia.CALL,
                    respondent=User.objects.filter(pk=scope.user_id).first())


def register() -> None:
    """Register menu entries, the widget, tenant defaults, the 360 timeline, merge participants and the call section."""
    from crm_site import plugins

    from . import access
    from .models import SurveyInvitation, SurveyResponse
    from .services import create_tenant_templates
    from .widgets import WIDGETS

    plugins.register_menu(
        plugins.MenuItem(gettext_lazy("Satisfaction"), "surveys:ranking", access.INDEX_VIEW, order=45),
        plugins.MenuItem(gettext_lazy("Dealer survey"), "surveys:dealer-survey",
                         (access.DEALER_SURVEY_INVITE, access.DEALER_SURVEY_ANSWER), order=46),
        plugins.MenuItem(gettext_lazy("Survey templates"), "surveys:template-list",
                         (access.TEMPLATE_EDIT, access.TEMPLATE_VIEW), order=83),
    )
    plugins.register_widgets(*WIDGETS)
    plugins.register_tenant_defaults(plugins.TenantDefault("survey_templates", create_tenant_templates))
    plugins.register_timeline_sources(TimelineSource(
        "survey", gettext_lazy("Survey"), SurveyResponse,
        lambda rows, customer: rows.filter(customer=customer).select_related("template", "dealer")
        .order_by("-answered_at")[:50],
        _response_event))
    plugins.register_merge_participants(
        plugins.MergeParticipant("survey_invitations", SurveyInvitation, "customer"),
        plugins.MergeParticipant("survey_responses", SurveyResponse, "customer", erase=_responses_erase),
    )
    plugins.register_call_sections(CallSection(
        code="survey", applies=lambda task: task.rule.code == SURVEY_CALL_RULE["code"],
        template="surveys/_call_section.html", context=_call_context, save=_call_save))


def _responses_erase(customer) -> dict:
    """Erasing a person drops their free-text answers and keeps the scores (the indices stay as they were)."""
    from .models import SurveyResponse, SurveyTemplate

    cleared = 0
    used = SurveyResponse._base_manager.filter(tenant_id=customer.tenant_id, customer=customer)
    for template in SurveyTemplate._base_manager.filter(pk__in=used.values("template_id")):
        codes = [q["code"] for q in template.questions if q.get("type") == "text"]
        if codes:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE surveys_surveyresponse SET answers = answers - %s::text[] "
                               "WHERE tenant_id = %s AND customer_id = %s AND template_id = %s AND answers ?| %s",
                               [codes, customer.tenant_id, customer.pk, template.pk, codes])
                cleared += cursor.rowcount
    return {"survey_text_answers": cleared}
