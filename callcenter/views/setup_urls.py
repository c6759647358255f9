"""URLs of the HQ setup pages (under /callcenter/): working calendars, follow-up rules and generation runs."""

from django.urls import path

from . import setup

urlpatterns = [
    path("calendar/", setup.CalendarHome.as_view(), name="calendar"),
    path("calendar/dealers/new/", setup.DealerCalendarCreate.as_view(), name="calendar-dealer-create"),
    path("calendar/<id:pk>/", setup.CalendarDetail.as_view(), name="calendar-detail"),
    path("calendar/<id:pk>/delete/", setup.DealerCalendarDelete.as_view(), name="calendar-delete"),
    path("calendar/<id:pk>/exceptions/", setup.ExceptionAdd.as_view(), name="calendar-exception-add"),
    path("calendar/exceptions/<id:pk>/delete/", setup.ExceptionDelete.as_view(), name="calendar-exception-delete"),
    path("rules/", setup.RuleList.as_view(), name="rules"),
    path("rules/new/", setup.RuleCreate.as_view(), name="rule-create"),
    path("rules/preview/", setup.ScriptPreview.as_view(), name="rule-preview"),
    path("rules/<id:pk>/", setup.RuleDetail.as_view(), name="rule-detail"),
    path("rules/<id:pk>/active/", setup.RuleActive.as_view(), name="rule-active"),
    path("runs/", setup.RunList.as_view(), name="runs"),
    path("runs/new/", setup.RunNow.as_view(), name="run-create"),
    path("runs/<id:pk>/", setup.RunDetail.as_view(), name="run-detail"),
]
