"""Template filters for prices, amounts and mileages with a thousands separator.

Django's zh-Hans formats group by 10,000 with no separator, and humanize's intcomma follows them; amounts in
yuan are written ¥128,800.00 in Chinese business documents as in English, so the grouping is fixed here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


def _number(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@register.filter
def yuan(value) -> str:
    """An amount in yuan, grouped by thousands with two decimals: 128800 → "¥128,800.00" (blank for no amount)."""
    number = _number(value)
    return "" if number is None else f"¥{number:,.2f}"


@register.filter
def grouped(value) -> str:
    """A whole number grouped by thousands: 123456 → "123,456" (mileages, counts)."""
    number = _number(value)
    return "" if number is None else f"{number:,.0f}"
