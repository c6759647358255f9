"""Choices of the customers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company or fleet")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class IncomeBand(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    LOW = "low", _("Under ¥100k a year")
    MIDDLE = "middle", _("¥100k–300k a year")
    HIGH = "high", _("¥300k–1M a year")
    VERY_HIGH = "very_high", _("Over ¥1M a year")


class Education(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    SECONDARY = "secondary", _("Secondary school or less")
    COLLEGE = "college", _("College")
    BACHELOR = "bachelor", _("Bachelor")
    POSTGRADUATE = "postgraduate", _("Postgraduate")


class ContactKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")


class ConsentChannel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")


class ConsentPurpose(models.TextChoices):
    SERVICE = "service", _("Service follow-up and reminders")
    SURVEY = "survey", _("Satisfaction surveys")
    MARKETING = "marketing", _("Marketing and offers")


class LinkKind(models.TextChoices):
    """Why a customer or vehicle is linked to a dealer."""

    SOLD = "sold", _("Sold")
    SERVICED = "serviced", _("Serviced")
    ASSIGNED = "assigned", _("Assigned")
    LEAD = "lead", _("Lead")
    DMS = "dms", _("Sent by the dealer system")


class RecordSource(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    CALL = "call", _("Phone call")
    WEB = "web", _("Web")
    DMS = "dms", _("Dealer system")
    IMPORT = "import", _("File import")


class LeadSource(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    HOTLINE = "hotline", _("Hotline")
    WEB = "web", _("Web")
    REFERRAL = "referral", _("Referral by a customer")
    DMS = "dms", _("Dealer system")


class LeadStage(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    TEST_DRIVE = "test_drive", _("Test drive")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


OPEN_LEAD_STAGES = frozenset({LeadStage.NEW, LeadStage.CONTACTED, LeadStage.TEST_DRIVE, LeadStage.NEGOTIATION})

# Allowed moves of a lead: forward through the funnel, or out (won/lost) from any open stage; a lost lead may reopen.
LEAD_TRANSITIONS: dict[str, frozenset[str]] = {
    LeadStage.NEW: frozenset({LeadStage.CONTACTED, LeadStage.LOST}),
    LeadStage.CONTACTED: frozenset({LeadStage.TEST_DRIVE, LeadStage.NEGOTIATION, LeadStage.WON, LeadStage.LOST}),
    LeadStage.TEST_DRIVE: frozenset({LeadStage.NEGOTIATION, LeadStage.WON, LeadStage.LOST}),
    LeadStage.NEGOTIATION: frozenset({LeadStage.WON, LeadStage.LOST}),
    LeadStage.WON: frozenset(),
    LeadStage.LOST: frozenset({LeadStage.CONTACTED}),
}


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    COMPETITOR = "competitor", _("Bought a competitor's car")
    NO_CONTACT = "no_contact", _("Could not be reached")
    POSTPONED = "postponed", _("Postponed the purchase")
    PRODUCT = "product", _("Product does not fit")
    OTHER = "other", _("Other")
