"""Typed reading of one imported row's cells, collecting every field's problem before anything is written."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .kinds import normalize_header

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
TIME_FORMATS = ("%H:%M", "%H:%M:%S")
# Units and separators people type into number cells: "12,345 公里", "¥1,280.00元".
_NUMBER_NOISE = re.compile(r"[\s,，¥￥元]|km|公里", re.IGNORECASE)


@cache
def choice_map(choices: type[TextChoices], aliases: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """Normalised value, English label and Chinese label of each choice, plus aliases → the stored value."""
    mapping = {normalize_header(value): value for value in choices.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            mapping.update({normalize_header(str(label)): value for value, label in choices.choices})
    mapping.update({normalize_header(word): value for word, value in aliases})
    return mapping


def given(data: dict) -> dict:
    """Only the fields the row filled in: a blank cell never erases what is known."""
    return {key: value for key, value in data.items() if value not in ("", None)}


def _parse_date_text(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _parse_datetime_text(text: str) -> datetime | None:
    text = text.replace("T", " ")
    day_part, _sep, time_part = text.partition(" ")
    day = _parse_date_text(day_part)
    if day is None:
        return None
    if not time_part.strip():
        return datetime.combine(day, time.min)
    for fmt in TIME_FORMATS:
        try:
            return datetime.combine(day, datetime.strptime(time_part.strip(), fmt).time())
        except ValueError:
            continue
    return None


class RowReader:
    """One row's cells by column key; each reader records a message instead of raising, and check() raises them all."""

    def __init__(self, values: dict):
        self.values = values
        self.errors: dict[str, list[ValidationError]] = {}

    def error(self, key: str, message, params: dict | None = None) -> None:
        """Record a problem with one column; the message keeps its parameters, so the job stores it untranslated."""
        if isinstance(message, ValidationError):
            self.errors.setdefault(key, []).extend(getattr(message, "error_list", None)
                                                   or [ValidationError(text) for text in message.messages])
        else:
            self.errors.setdefault(key, []).append(ValidationError(message, params=params))

    def check(self) -> None:
        """Raise a ValidationError with every recorded problem, if any."""
        if self.errors:
            raise ValidationError(self.errors)

    def _raw(self, key: str, required: bool):
        value = self.values.get(key, "")
        if required and value == "":
            self.error(key, _("This column is required."))
        return value

    def text(self, key: str, required: bool = False) -> str:
        """The cell as text (a date typed into a text column becomes its ISO form)."""
        value = self._raw(key, required)
        return value.isoformat() if isinstance(value, date | time) else str(value)

    def date(self, key: str, required: bool = False) -> date | None:
        """A date from an Excel date cell or text such as 2026-03-01, 2026/3/1 or 2026年3月1日."""
        value = self._raw(key, required)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date) or value == "":
            return value or None
        parsed = _parse_date_text(str(value))
        if parsed is None:
            self.error(key, _("Enter a date such as 2026-03-01."))
        return parsed

    def datetime(self, key: str, required: bool = False) -> datetime | None:
        """An aware date and time; times without a zone are Beijing time (the site's time zone)."""
        value = self._raw(key, required)
        if value == "":
            return None
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime.combine(value, time.min)
        else:
            parsed = _parse_datetime_text(str(value))
            if parsed is None:
                self.error(key, _("Enter a date and time such as 2026-03-01 09:30."))
                return None
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)

    def integer(self, key: str, required: bool = False) -> int | None:
        """A whole number of zero or more; thousands separators and a km unit are allowed."""
        number = self._number(key, required)
        if number is None:
            return None
        if number != number.to_integral_value() or number < 0:
            self.error(key, _("Enter a whole number of zero or more."))
            return None
        return int(number)

    def decimal(self, key: str, required: bool = False) -> Decimal | None:
        """An amount in yuan; ¥, 元 and thousands separators are allowed."""
        number = self._number(key, required)
        if number is not None and number < 0:
            self.error(key, _("Enter an amount of zero or more."))
            return None
        return number

    def _number(self, key: str, required: bool) -> Decimal | None:
        value = self._raw(key, required)
        if value == "":
            return None
        try:
            number = Decimal(_NUMBER_NOISE.sub("", str(value)))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.error(key, _("Enter a number."))
            return None
        return number

    def choice(self, key: str, choices: dict[str, str], required: bool = False, default: str = "") -> str:
        """A choice value looked up by its normalised value or label; blank gives the default."""
        value = self._raw(key, required)
        if value == "":
            return default
        found = choices.get(normalize_header(value))
        if found is None:
            self.error(key, _("Unknown value “%(value)s”."), {"value": value})
            return default
        return found

    def normalized(self, key: str, normaliser: Callable[[str], str], required: bool = False) -> str:
        """The cell run through a validator's normaliser (VIN, plate); its message is kept for this column."""
        value = self.text(key, required)
        if not value:
            return ""
        try:
            return normaliser(value)
        except ValidationError as exc:
            self.error(key, exc)  # with its parameters ("this one has %(length)d")
            return ""
