"""Browser URLs of vehicles, sales and service visits (mounted at /vehicles/)."""

from django.urls import path

from . import catalogue_views, views

url_prefix = "vehicles/"
app_name = "vehicles"

urlpatterns = [
    path("", views.VehicleList.as_view(), name="list"),
    path("sales/new/", views.SaleCreate.as_view(), name="sale-create"),
    path("visits/new/", views.VisitCreate.as_view(), name="visit-create"),
    path("lookup/", views.VehicleLookup.as_view(), name="lookup"),
    path("<id:pk>/", views.VehicleDetail.as_view(), name="detail"),
    path("models/", catalogue_views.CatalogueList.as_view(), name="catalogue-list"),
    path("models/new/", catalogue_views.CatalogueCreate.as_view(), name="catalogue-create"),
    path("models/<id:pk>/", catalogue_views.CatalogueUpdate.as_view(), name="catalogue-update"),
]
