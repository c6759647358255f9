"""Campaign pages under /retention/campaigns/ (included by retention/urls.py, names in its namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.CampaignList.as_view(), name="campaign-list"),
    path("new/", views.CampaignCreate.as_view(), name="campaign-create"),
    path("preview/", views.CampaignPreview.as_view(), name="campaign-preview"),
    path("<id:pk>/", views.CampaignDetail.as_view(), name="campaign-detail"),
    path("<id:pk>/launch/", views.CampaignLaunch.as_view(), name="campaign-launch"),
]
