"""Choices of the surveys: template kinds, question types, channels, statuses (DESIGN §9.4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TemplateKind(models.TextChoices):
    SSI = "ssi", _("Sales satisfaction (SSI-style)")
    CSI = "csi", _("Service satisfaction (CSI-style)")
    DEALER = "dealer", _("Dealer survey")
    CUSTOM = "custom", _("Custom")


class QuestionType(models.TextChoices):
    SCALE = "scale", _("Scale")
    NPS = "nps", _("Recommend 0–10 (NPS)")
    CHOICE = "choice", _("Choice")
    TEXT = "text", _("Text")


SCORED_TYPES = (QuestionType.SCALE, QuestionType.NPS)


class Channel(models.TextChoices):
    CALL = "call", _("Agent call")
    LINK = "link", _("Web link")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    DECLINED = "declined", _("Declined")


class SubjectKind(models.TextChoices):
    SALE = "sale", _("Sale")
    VISIT = "visit", _("Service visit")
    DEALER = "dealer", _("Dealer manager")


class NpsCategory(models.TextChoices):
    PROMOTER = "promoter", _("Promoter (9–10)")
    PASSIVE = "passive", _("Passive (7–8)")
    DETRACTOR = "detractor", _("Detractor (0–6)")


class AnsweredVia(models.TextChoices):
    CALL = "call", _("Agent call")
    LINK = "link", _("Web link")
    API = "api", _("Dealer system")
    STAFF = "staff", _("Logged in")
