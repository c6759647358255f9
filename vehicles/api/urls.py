"""Register the vehicle resources in the API router."""

from crm_site.api.router import router

from .views import RelatedPurchaseViewSet, SaleViewSet, ServiceVisitViewSet, VehicleModelViewSet, VehicleViewSet

router.register("vehicle-models", VehicleModelViewSet, basename="vehicle-model")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("sales", SaleViewSet, basename="sale")
router.register("service-visits", ServiceVisitViewSet, basename="service-visit")
router.register("related-purchases", RelatedPurchaseViewSet, basename="related-purchase")
