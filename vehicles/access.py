"""Who may do what with vehicles, the catalogue, sales, service visits and related purchases (DESIGN §2)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.access import permission
from dealers.choices import DEALER_ROLES, Role

CATALOGUE_EDIT = permission("vehicles.catalogue_edit", _("Keep the vehicle model catalogue"), {Role.OEM_ADMIN})
VEHICLE_EDIT = permission("vehicles.edit", _("Register and change vehicles, transfer ownership"),
                          DEALER_ROLES | {Role.OEM_ADMIN}, api_clients=True)
# A vehicle is shared by the whole network: only HQ deletes one (and only while nothing refers to it).
VEHICLE_DELETE = permission("vehicles.delete", _("Delete a vehicle"), {Role.OEM_ADMIN})
SALE_RECORD = permission("vehicles.sale_record", _("Record sales and deliveries"),
                         {Role.OEM_ADMIN, Role.DEALER_MANAGER, Role.SALES_CONSULTANT}, api_clients=True)
# HQ may enter a repair order for any store (DESIGN §2: oem_admin changes everything), as the API always allowed.
VISIT_RECORD = permission("vehicles.visit_record", _("Record service visits (repair orders)"),
                          {Role.OEM_ADMIN, Role.DEALER_MANAGER, Role.SERVICE_ADVISOR}, api_clients=True)
RELATED_RECORD = permission("vehicles.related_record", _("Record insurance, warranty, accessories and finance"),
                            DEALER_ROLES | {Role.OEM_ADMIN}, api_clients=True)
VEHICLE_EXPORT = permission("vehicles.export", _("Export vehicles, sales and service visits"),
                            {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.REGION_MANAGER, Role.DEALER_MANAGER},
                            writes=False)
