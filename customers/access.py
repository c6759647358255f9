"""Who may do what with customers and leads (DESIGN §2); pages, the API, imports and the menu read these."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.access import permission
from dealers.choices import DEALER_ROLES, TENANT_WIDE_ROLES, Role

CALL_CENTER = {Role.CC_SUPERVISOR, Role.CC_AGENT}

# The people who serve customers at the counter change their records; the call center records what customers say
# on the phone (consent, do-not-call) but does not edit a store's customer file (DESIGN §2: calls, outcomes,
# complaints, survey answers).
CUSTOMER_EDIT = permission("customers.edit", _("Create and change customers"),
                           DEALER_ROLES | {Role.OEM_ADMIN}, api_clients=True)
CONSENT_RECORD = permission("customers.consent_record", _("Record consent and do-not-call"),
                            DEALER_ROLES | {Role.OEM_ADMIN} | CALL_CENTER, api_clients=True)
# A customer is shared by the whole network: only HQ deletes one (and only while nothing refers to it).
CUSTOMER_DELETE = permission("customers.delete", _("Delete a customer"), {Role.OEM_ADMIN})
CUSTOMER_MERGE = permission("customers.merge", _("Merge duplicate customers"), {Role.OEM_ADMIN, Role.DEALER_MANAGER})
# Who reads mobiles in full is the tenant's grant per role (dealers.access.reads_full_mobiles, set by an OEM admin):
# by default the people who call and serve customers; HQ and regional staff work on aggregates and see them masked.
# Analysts work on aggregates: they never need a personal number in full. Revealing is logged.
# Dealer systems keep the reveal they had (logged); which integrations may is the subject of personal-data grants.
NUMBER_REVEAL = permission("customers.number_reveal", _("Reveal a mobile or ID number (logged)"),
                           set(Role) - {Role.OEM_ANALYST}, api_clients=True, writes=False)
# Exports are bulk reads of personal data: HQ, regions and dealer managers only.
CUSTOMER_EXPORT = permission("customers.export", _("Export customers"),
                             {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.REGION_MANAGER, Role.DEALER_MANAGER},
                             writes=False)

# A hotline agent opens a lead for the store the caller names (DESIGN §9.2).
LEAD_EDIT = permission("customers.lead_edit", _("Open leads and move them through the stages"),
                       {Role.OEM_ADMIN, Role.DEALER_MANAGER, Role.SALES_CONSULTANT} | CALL_CENTER, api_clients=True)
LEAD_ASSIGN = permission("customers.lead_assign", _("Give a lead to another sales consultant"),
                         {Role.OEM_ADMIN, Role.DEALER_MANAGER})
LEAD_OWN = permission("customers.lead_own", _("Work my own leads"), {Role.SALES_CONSULTANT}, writes=False)
# The pipeline of every dealer in the scope: the store manager's board, HQ's and the region's view across stores.
# A consultant sees their own leads by default and the store's pipeline when they filter it.
LEAD_BOARD = permission("customers.lead_board", _("See the lead pipeline"),
                        DEALER_ROLES - {Role.SERVICE_ADVISOR} | {Role.REGION_MANAGER}
                        | (TENANT_WIDE_ROLES - CALL_CENTER), writes=False)
# Data-subject rights (PIPL): the export of everything held about a person and their erasure are HQ's.
DATA_SUBJECT_RIGHTS = permission("customers.data_subject_rights",
                                 _("Export everything held about a customer, and erase them on request"),
                                 {Role.OEM_ADMIN})
