"""Calendar arithmetic every app needs the same way."""

from __future__ import annotations

import datetime as dt


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier; a day the month lacks becomes its last day (31 March − 1 month = 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))
