"""Survey objects for tests: the tenant's default templates, invitations as generation makes them, and answers."""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from customers.models import ConsentRecord
from surveys.models import SurveyInvitation, SurveyTemplate
from surveys.services import create_tenant_templates
from tests.customers.factories import CustomerFactory


def templates(tenant) -> dict[str, SurveyTemplate]:
    """The tenant's current default templates by code (created if missing)."""
    create_tenant_templates(tenant)
    return {t.code: t for t in SurveyTemplate.objects.filter(tenant=tenant, is_current=True)}


def consent(customer, channel: str = "sms", purpose: str = "survey", granted: bool = True) -> None:
    ConsentRecord.objects.create(tenant_id=customer.tenant_id, customer=customer, channel=channel, purpose=purpose,
                                 granted=granted, source="counter")


def invitation(template, dealer, *, customer=None, channel: str = "link", expires_at=None, subject_id=None,
               **kwargs) -> SurveyInvitation:
    """A pending invitation of `dealer` for a customer of it."""
    customer = customer or CustomerFactory(dealer=dealer)
    values = {"subject_kind": "sale", "subject_id": subject_id or secrets.randbelow(10**12) + 1,
              "subject_on": timezone.localdate() - dt.timedelta(days=3), "status": "pending"}
    values.update(kwargs)
    return SurveyInvitation.objects.create(
        tenant_id=dealer.tenant_id, dealer=dealer, template=template, kind=template.kind, customer=customer,
        channel=channel, expires_at=expires_at or timezone.now() + dt.timedelta(days=14),
        nonce=secrets.token_hex(16), **values)


def ssi_answers(**overrides) -> dict:
    """Answers to the default SSI template: all 8s, recommend 9, unless overridden."""
    answers = {"overall": 8, "initiation": 8, "salesperson": 8, "deal": 8, "facility": 8, "delivery": 8,
               "recommend": 9}
    answers.update(overrides)
    return answers
