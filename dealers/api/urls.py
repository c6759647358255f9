"""Register the organisation resources in the API router."""

from crm_site.api.router import router

from .views import ApiClientViewSet, DealerViewSet, RegionViewSet, UserViewSet

router.register("regions", RegionViewSet, basename="region")
router.register("dealers", DealerViewSet, basename="dealer")
router.register("users", UserViewSet, basename="user")
router.register("api-clients", ApiClientViewSet, basename="api-client")
