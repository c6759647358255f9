"""Register the organisation resources in the API router, and the token endpoint."""

from django.urls import path

from crm_site.api.router import router

from .auth import TokenView
from .views import ApiClientViewSet, DealerViewSet, RegionViewSet, UserViewSet

urlpatterns = [path("auth/token/", TokenView.as_view(), name="api-token")]

router.register("regions", RegionViewSet, basename="region")
router.register("dealers", DealerViewSet, basename="dealer")
router.register("users", UserViewSet, basename="user")
router.register("api-clients", ApiClientViewSet, basename="api-client")
