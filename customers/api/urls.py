"""Register the customer resources in the API router."""

from crm_site.api.router import router

from .views import CustomerViewSet, LeadViewSet

router.register("customers", CustomerViewSet, basename="customer")
router.register("leads", LeadViewSet, basename="lead")
