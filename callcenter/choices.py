"""Choices of the call center: follow-up triggers, purposes, statuses, outcomes and call categories (DESIGN §9.2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Trigger(models.TextChoices):
    """What makes a follow-up rule produce a task."""

    SALE_DELIVERED = "sale_delivered", _("Sale delivered")
    VISIT_CLOSED = "visit_closed", _("Service visit closed")
    FIRST_MAINTENANCE_DUE = "first_maintenance_due", _("First maintenance due")
    MAINTENANCE_DUE = "maintenance_due", _("Maintenance due")
    INSURANCE_EXPIRY = "insurance_expiry", _("Insurance expiry")
    BIRTHDAY = "birthday", _("Birthday")
    LAPSED = "lapsed", _("Vehicle lapsed")
    CAMPAIGN = "campaign", _("Campaign")


class WorkedBy(models.TextChoices):
    """Who calls: the OEM call center or the dealer's own staff."""

    CALL_CENTER = "call_center", _("Call center")
    DEALER = "dealer", _("Dealer")


class Purpose(models.TextChoices):
    """The consent a rule needs (customers.ConsentPurpose, on the phone channel)."""

    SERVICE = "service", _("Service follow-up and reminders")
    SURVEY = "survey", _("Satisfaction surveys")
    MARKETING = "marketing", _("Marketing and offers")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLAIMED = "claimed", _("Being called")
    DONE = "done", _("Done")
    UNREACHABLE = "unreachable", _("Unreachable")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED)


class Outcome(models.TextChoices):
    """What one call attempt ended with."""

    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    REFUSED = "refused", _("Refused")
    CALLBACK = "callback", _("Call back later")


RETRY_OUTCOMES = (Outcome.NO_ANSWER, Outcome.BUSY)
# Outcomes of a call that got through to the customer (接通): they answered, even to refuse or to ask for later; the
# board's reach rate and a campaign's "reached" both count these.
REACHED_OUTCOMES = (Outcome.REACHED, Outcome.REFUSED, Outcome.CALLBACK)


class SkipReason(models.TextChoices):
    """Why generation did not create a task for a subject (DESIGN §9.2), counted per run and rule."""

    DO_NOT_CALL = "do_not_call", _("Do not call")
    NO_CONSENT = "no_consent", _("No consent for this purpose")
    VEHICLE_SCRAPPED = "vehicle_scrapped", _("Vehicle scrapped")
    CUSTOMER_ERASED = "customer_erased", _("Customer erased or merged away")
    OPEN_TASK = "open_task", _("An open task of the same rule for the same subject")
    NO_MOBILE = "no_mobile", _("No mobile number")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound (hotline)")
    OUTBOUND = "outbound", _("Outbound")


class CallKind(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("On-site visit")


class CallCategory(models.TextChoices):
    """What an inbound call (or an on-site visit) was about."""

    INQUIRY = "inquiry", _("Inquiry")
    COMPLAINT = "complaint", _("Complaint")
    BOOKING = "booking", _("Service booking")
    ROADSIDE = "roadside", _("Roadside help")
    FOLLOW_UP = "follow_up", _("Follow-up")
    OTHER = "other", _("Other")


class QuestionType(models.TextChoices):
    """The kinds of question a rule's script asks."""

    YES_NO = "yes_no", _("Yes / no")
    SCALE = "scale", _("Scale 1–5")
    CHOICE = "choice", _("Choice")
    TEXT = "text", _("Text")


class RunSource(models.TextChoices):
    BEAT = "beat", _("Daily schedule")
    COMMAND = "command", _("Command")
    BROWSER = "browser", _("By hand in the browser")
    API = "api", _("API")
