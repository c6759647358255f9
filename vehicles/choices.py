"""Choices of the vehicles app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FuelType(models.TextChoices):
    PETROL = "petrol", _("Petrol")
    DIESEL = "diesel", _("Diesel")
    HYBRID = "hybrid", _("Hybrid")
    PHEV = "phev", _("Plug-in hybrid")
    BEV = "bev", _("Battery electric")


class PriceBand(models.TextChoices):
    ENTRY = "entry", _("Under ¥150k")
    MID = "mid", _("¥150k–250k")
    UPPER = "upper", _("¥250k–400k")
    PREMIUM = "premium", _("Over ¥400k")


class SaleKind(models.TextChoices):
    NEW = "new", _("New car")
    USED = "used", _("Used car")
    TRADE_IN = "trade_in", _("Trade-in (置换)")


class VisitKind(models.TextChoices):
    FIRST_MAINTENANCE = "first_maintenance", _("First maintenance")
    MAINTENANCE = "maintenance", _("Maintenance")
    REPAIR = "repair", _("Repair")
    WARRANTY = "warranty", _("Warranty")
    ACCIDENT = "accident", _("Accident repair")
    RECALL = "recall", _("Recall")


class OwnershipKind(models.TextChoices):
    SALE = "sale", _("Bought at a dealer")
    TRANSFER = "transfer", _("Transferred (二手车)")
    REGISTERED = "registered", _("Registered with its owner (first record, not a transfer)")
    MERGE = "merge", _("Customer records merged")


class RelatedKind(models.TextChoices):
    INSURANCE = "insurance", _("Insurance")
    EXTENDED_WARRANTY = "extended_warranty", _("Extended warranty")
    ACCESSORIES = "accessories", _("Accessories")
    FINANCE = "finance", _("Finance")
