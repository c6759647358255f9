"""Rows in PostgreSQL COPY text format: the tables and columns written, dates and times, buffers."""

from __future__ import annotations

import random
from bisect import bisect
from datetime import date, datetime, timedelta

NULL = r"\N"

# Columns written per table, in COPY order, parents before children; the rest keep their NULL or default.
TABLES = {
    "customers_customer": (
        "id", "created_at", "updated_at", "tenant_id", "kind", "name", "mobile", "id_number_encrypted",
        "id_number_hash", "gender", "birth_date", "province", "city", "address", "occupation", "income_band",
        "education", "company_name", "fleet_size", "key_account_owner_id", "do_not_call", "notes",
    ),
    "customers_contactpoint": ("created_at", "updated_at", "tenant_id", "customer_id", "kind", "value", "label"),
    "customers_consentrecord": (
        "created_at", "updated_at", "tenant_id", "customer_id", "channel", "purpose", "granted", "source",
        "text_version", "recorded_by_id",
    ),
    "customers_donotcallchange": (
        "created_at", "updated_at", "tenant_id", "customer_id", "do_not_call", "reason", "changed_by_id",
    ),
    "customers_customerdealer": ("created_at", "updated_at", "tenant_id", "customer_id", "dealer_id", "kind",
                                 "external_id"),
    "vehicles_vehicle": (
        "id", "created_at", "updated_at", "tenant_id", "vin", "plate", "model_id", "colour", "owner_id",
        "selling_dealer_id", "delivered_on", "mileage_km",
    ),
    "vehicles_vehicledealer": ("created_at", "updated_at", "tenant_id", "vehicle_id", "dealer_id", "kind",
                               "external_id"),
    "vehicles_ownership": ("created_at", "updated_at", "tenant_id", "vehicle_id", "customer_id", "kind",
                           "started_on", "ended_on"),
    "customers_lead": (
        "id", "created_at", "updated_at", "tenant_id", "dealer_id", "customer_id", "source", "referred_by_id",
        "interested_model_id", "stage", "assigned_to_id", "next_action_on", "lost_reason", "first_contacted_at",
        "stage_changed_at", "external_id", "notes",
    ),
    "customers_leadstagechange": ("created_at", "updated_at", "tenant_id", "lead_id", "from_stage", "to_stage",
                                  "changed_by_id", "note"),
    "vehicles_sale": (
        "created_at", "updated_at", "tenant_id", "dealer_id", "vehicle_id", "customer_id", "consultant_id",
        "lead_id", "kind", "delivered_on", "price", "external_id",
    ),
    "vehicles_servicevisit": (
        "created_at", "updated_at", "tenant_id", "dealer_id", "vehicle_id", "customer_id", "advisor_id", "kind",
        "opened_at", "closed_at", "mileage_km", "amount", "external_id",
    ),
    "vehicles_relatedpurchase": (
        "created_at", "updated_at", "tenant_id", "dealer_id", "customer_id", "vehicle_id", "kind", "purchased_on",
        "expires_on", "amount", "provider", "external_id",
    ),
}

# Business hours and times of day as COPY text with the Asia/Shanghai offset (no daylight saving time).
_MINUTES = [f"{minute // 60:02d}:{minute % 60:02d}:00+08" for minute in range(24 * 60)]


class Clock:
    """Days as ordinals, formatted from a precomputed table because the generator formats millions of them."""

    def __init__(self, as_of: date, years_back: int = 10, years_ahead: int = 8):
        self.today = as_of.toordinal()
        self.first = self.today - 366 * years_back
        self.days = [date.fromordinal(o).isoformat() for o in range(self.first, self.today + 366 * years_ahead)]
        self.now = datetime.now().astimezone().isoformat()

    def day(self, ordinal: int) -> str:
        return self.days[ordinal - self.first]

    def at(self, ordinal: int, minute: int) -> str:
        """A timestamp: day ordinal and minute of the day, Asia/Shanghai."""
        return f"{self.days[ordinal - self.first]} {_MINUTES[minute]}"

    def at_minutes(self, minutes: int) -> str:
        """A timestamp from minutes since day ordinal 0."""
        return self.at(minutes // 1440, minutes % 1440)

    def add_years(self, ordinal: int, years: int) -> int:
        """The same calendar day some years later (28 February for 29 February)."""
        day = date.fromordinal(ordinal)
        try:
            return day.replace(year=day.year + years).toordinal()
        except ValueError:
            return (day.replace(day=28, year=day.year + years)).toordinal()

    def birth_date(self, ordinal: int, age_days: int) -> tuple[str, str]:
        """ISO and YYYYMMDD forms of the day age_days before the ordinal (older than the day table)."""
        day = date.fromordinal(ordinal) - timedelta(days=age_days)
        return day.isoformat(), day.strftime("%Y%m%d")


class Weighted:
    """A weighted choice that costs one random number and a bisection."""

    def __init__(self, pairs):
        self.values = [value for value, _weight in pairs]
        self.cumulative = []
        total = 0.0
        for _value, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def __call__(self, rng: random.Random):
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


class Rows:
    """Buffered COPY lines per table, handed to the writer a chunk at a time."""

    def __init__(self):
        self.lines: dict[str, list[str]] = {table: [] for table in TABLES}

    def take(self) -> list[tuple[str, list[str]]]:
        """The buffered lines per table (parents before children), leaving the buffers empty."""
        taken = [(table, lines) for table, lines in self.lines.items() if lines]
        # Refill the same dict: the makers hold on to it.
        for table, _lines in taken:
            self.lines[table] = []
        return taken
