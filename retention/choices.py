"""Choices of the retention app: vehicle-age bands and a vehicle's retention state (DESIGN §4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgeBand(models.IntegerChoices):
    """Years since delivery, banded as the retention standard reports them."""

    UNDER_1 = 0, "<1"
    Y1 = 1, "1"
    Y2 = 2, "2"
    Y3 = 3, "3"
    Y4 = 4, "4"
    Y5 = 5, "5"
    Y6_7 = 6, "6-7"
    Y8_PLUS = 7, "8+"


AGE_BAND_KEYS = [label for _value, label in AgeBand.choices]


class State(models.TextChoices):
    """Where a vehicle of a dealer's owned base stands at the as-of date (each vehicle has exactly one)."""

    ACTIVE = "active", pgettext_lazy("retention", "Active")
    RETAINED = "retained", _("Retained, not active")
    NEW = "new", _("Not retained, not yet lapsed")
    LAPSED = "lapsed", _("Lapsed")
    LOST = "lost", pgettext_lazy("retention", "Lost")


class StockBucket(models.TextChoices):
    """Days a vehicle has been in a dealer's stock."""

    D0_30 = "0-30", _("0–30 days")
    D31_60 = "31-60", _("31–60 days")
    D61_90 = "61-90", _("61–90 days")
    OVER_90 = "90+", _("Over 90 days")
