"""Browser URLs of the segments and association rules (included in retention/urls.py, namespace retention)."""

from django.urls import path

from . import views

urlpatterns = [
    path("segments/", views.SegmentsPage.as_view(), name="segments"),
    path("association-rules/", views.RulesPage.as_view(), name="association-rules"),
    path("analyses/<str:kind>/<id:pk>/progress/", views.RunProgress.as_view(), name="analysis-progress"),
]
