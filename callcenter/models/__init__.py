"""Models of the call center: the working calendar, follow-up rules and tasks, and calls."""

from .calendar import CalendarException, WorkingCalendar
from .calls import BookingStatus, Call, ServiceBooking
from .complaints import *  # noqa: F403  (complaint models, their own module)
from .followups import FollowUpRule, FollowUpRun, FollowUpTask, NumberFlag

__all__ = [
    "BookingStatus", "CalendarException", "Call", "FollowUpRule", "FollowUpRun", "FollowUpTask", "NumberFlag",
    "ServiceBooking", "WorkingCalendar",
]
