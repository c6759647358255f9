"""URL patterns of the workspace, the hotline, calls, bookings and the follow-up list."""

from django.urls import path

from . import desk, followups, hotline

urlpatterns = [
    path("", desk.Workspace.as_view(), name="workspace"),
    path("next/", desk.NextCall.as_view(), name="next"),
    path("tasks/<id:pk>/", desk.TaskWork.as_view(), name="task"),
    path("tasks/<id:pk>/reveal/", desk.TaskReveal.as_view(), name="task-reveal"),
    path("tasks/<id:pk>/renew/", desk.TaskRenew.as_view(), name="task-renew"),
    path("tasks/<id:pk>/release/", desk.TaskRelease.as_view(), name="task-release"),
    path("callbacks/", desk.MyCallbacks.as_view(), name="callbacks"),
    path("callbacks/<id:pk>/take/", desk.TakeCallback.as_view(), name="callback-take"),
    path("followups/", followups.FollowUpList.as_view(), name="followup-list"),
    path("hotline/", hotline.Hotline.as_view(), name="hotline"),
    path("calls/", hotline.CallList.as_view(), name="call-list"),
    path("calls/<id:pk>/", hotline.CallDetail.as_view(), name="call-detail"),
    path("calls/<id:pk>/<str:what>/", hotline.CallAction.as_view(), name="call-action"),
    path("customers/<id:pk>/visit/", hotline.VisitLog.as_view(), name="visit-log"),
    path("bookings/", hotline.BookingList.as_view(), name="booking-list"),
    path("bookings/<id:pk>/status/", hotline.BookingSetStatus.as_view(), name="booking-status"),
]
