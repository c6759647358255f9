"""The tenancy suite's entries for the survey resources (tests/tenancy/resources.py adds them to RESOURCES)."""

from __future__ import annotations

import itertools

from crm_site.scope import Scope

from .factories import invitation, ssi_answers, templates

_seq = itertools.count(1)


def _template_visible(principal, key: str) -> bool:
    """Tenant-wide HQ data: template readers (HQ, agents, every API client) see tenant A's, others none."""
    from surveys.access import TEMPLATE_EDIT, TEMPLATE_VIEW

    return key.startswith("A") and (TEMPLATE_VIEW.allows(principal.scope) or TEMPLATE_EDIT.allows(principal.scope))


def _make_template(world, key: str):
    from surveys.services import template_create

    tenant = world.dealers[key].tenant
    return template_create(scope=Scope.system(tenant.pk), data={
        "code": f"tpl-{next(_seq)}", "name": "新模板", "kind": "custom",
        "questions": [{"code": "q", "text": "您满意吗？", "type": "nps", "is_overall": True}]})


def _template_payload(world, principal) -> dict:
    return {"code": f"tpl-new-{next(_seq)}", "name": "新模板", "kind": "custom",
            "questions": [{"code": "q", "text": "您满意吗？", "type": "nps", "is_overall": True}]}


def _reader_visible(principal, key: str) -> bool:
    """Invitations and responses: the dealers in scope, for those who read or record surveys."""
    from surveys.access import RESPONSE_RECORD, RESPONSE_VIEW

    return key in principal.sees and (RESPONSE_VIEW.allows(principal.scope) or RESPONSE_RECORD.allows(
        principal.scope))


def _invitation_visible(principal, key: str) -> bool:
    from surveys.access import RESPONSE_VIEW

    return key in principal.sees and RESPONSE_VIEW.allows(principal.scope)


def _make_invitation(world, key: str):
    dealer = world.dealers[key]
    return invitation(templates(dealer.tenant)["ssi"], dealer)


def _make_response(world, key: str):
    from surveys.services import response_record

    dealer = world.dealers[key]
    return response_record(scope=Scope.system(dealer.tenant_id), invitation=_make_invitation(world, key),
                           answers=ssi_answers(), via="link")


def _response_payload(world, principal) -> dict:
    fresh = _make_invitation(world, "A1")
    return {"invitation": fresh.pk, "answers": [{"question": k, "value": v} for k, v in ssi_answers().items()]}


def survey_resources(ResourceSpec) -> dict:
    """The three router resources (survey-indices is an APIView outside the router, tested in tests/surveys)."""
    return {
        "survey-templates": ResourceSpec(make=_make_template, payload=_template_payload, visible=_template_visible),
        "survey-invitations": ResourceSpec(make=_make_invitation, payload=None, visible=_invitation_visible,
                                           methods=frozenset()),
        "survey-responses": ResourceSpec(make=_make_response, payload=_response_payload, visible=_reader_visible,
                                         methods=frozenset({"post"}), creator="cc_agent"),
    }
