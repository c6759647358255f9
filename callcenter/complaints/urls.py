"""URL patterns of complaints (mounted at /callcenter/complaints/ in the "callcenter" namespace)."""

from django.urls import path

from . import board, settings_views, views

urlpatterns = [
    path("", views.ComplaintList.as_view(), name="complaint-list"),
    path("new/", views.ComplaintCreate.as_view(), name="complaint-create"),
    path("board/", board.ComplaintBoard.as_view(), name="complaint-board"),
    path("export/", board.ComplaintExport.as_view(), name="complaint-export"),
    path("settings/", settings_views.ComplaintSettingsView.as_view(), name="complaint-settings"),
    path("<id:pk>/", views.ComplaintDetail.as_view(), name="complaint-detail"),
    path("<id:pk>/attachments/", views.ComplaintAttach.as_view(), name="complaint-attach"),
    path("<id:pk>/attachments/<id:attachment>/", views.AttachmentDownload.as_view(), name="complaint-attachment"),
    path("<id:pk>/<slug:action>/", views.ComplaintAction.as_view(), name="complaint-action"),
]
