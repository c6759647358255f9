"""App configuration: what the vehicles app plugs into the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VehiclesConfig(AppConfig):
    """Vehicle catalogue, vehicles, ownership, sales, service visits and related purchases."""

    name = "vehicles"
    verbose_name = _("Vehicles")

    def ready(self) -> None:
        from crm_site import plugins
        from dealers.access import ORG_VIEW

        from . import access, demo, widgets
        from .lookup import CUSTOMER_FINDER
        from .models import Ownership, RelatedPurchase, Sale, ServiceVisit, Vehicle
        from .timeline import TIMELINE_SOURCES

        plugins.register_permissions(access)
        plugins.register_menu(
            plugins.MenuItem(_("Vehicles"), "vehicles:list", order=15),
            # Every role may read the catalogue (as in the API); it is HQ's to keep, so the menu is HQ's.
            plugins.MenuItem(_("Vehicle models"), "vehicles:catalogue-list", (access.CATALOGUE_EDIT, ORG_VIEW),
                             order=85),
            plugins.MenuItem(_("Record a sale"), "vehicles:sale-create", access.SALE_RECORD, order=40),
            plugins.MenuItem(_("Record a service visit"), "vehicles:visit-create", access.VISIT_RECORD, order=41),
        )
        plugins.register_demo_data(plugins.DemoData("vehicles", demo.fill))
        plugins.register_widgets(*widgets.WIDGETS)
        plugins.register_timeline_sources(*TIMELINE_SOURCES)
        plugins.register_customer_finders(CUSTOMER_FINDER)
        plugins.register_customer_panels(plugins.CustomerPanel(
            code="vehicles", template="vehicles/_customer_vehicles.html", model=Vehicle, order=10,
            query=lambda rows, customer: rows.filter(owner=customer).select_related("model", "selling_dealer"),
        ))
        plugins.register_merge_participants(
            plugins.MergeParticipant("vehicles", Vehicle, "owner"),
            plugins.MergeParticipant("ownerships", Ownership, "customer"),
            plugins.MergeParticipant("sales", Sale, "customer"),
            plugins.MergeParticipant("service_visits", ServiceVisit, "customer"),
            plugins.MergeParticipant("related_purchases", RelatedPurchase, "customer"),
        )
        from .imports import IMPORT_KINDS

        plugins.register_import_kinds(*IMPORT_KINDS)
        from .history import VEHICLE_HISTORY

        plugins.register_history_subjects(VEHICLE_HISTORY)
