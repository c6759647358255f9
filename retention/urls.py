"""Browser URLs of the retention dashboards (mounted at /retention/)."""

from django.urls import include, path

from . import staff_views, value_views, views

url_prefix = "retention/"
app_name = "retention"

urlpatterns = [
    path("", views.Dashboard.as_view(), name="dashboard"),
    path("customer-value/", value_views.CustomerValueList.as_view(), name="customer-value"),
    path("scorecard/", views.MyScorecard.as_view(), name="my-scorecard"),
    path("dealers/<id:pk>/", views.Scorecard.as_view(), name="scorecard"),
    path("dealers/<id:pk>/call/", views.CallThem.as_view(), name="call-them"),
    path("vehicles/", views.VehicleList.as_view(), name="vehicles"),
    path("staff/", staff_views.StaffKpis.as_view(), name="staff"),
    path("stock/", staff_views.Stock.as_view(), name="stock"),
    path("settings/", views.SettingsEdit.as_view(), name="settings"),
    path("campaigns/", include("retention.campaigns.urls")),
    path("", include("retention.segments.urls")),
]
