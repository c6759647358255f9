"""Who may do what in the call center: calendars, follow-up rules and queues, calls, complaints (DESIGN §2, §9)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.access import permission
from dealers.choices import DEALER_ROLES, Role

CALL_CENTER = {Role.CC_SUPERVISOR, Role.CC_AGENT}
HQ_READERS = {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.CC_SUPERVISOR}

# The calendar and the rules are HQ's (DESIGN §2: oem_admin changes rules); the call center and analysts read them.
CALENDAR_EDIT = permission("callcenter.calendar_edit", _("Keep the working calendars"), {Role.OEM_ADMIN})
RULE_VIEW = permission("callcenter.rule_view", _("See the follow-up rules and generation runs"), HQ_READERS,
                       api_clients=True, writes=False)
RULE_EDIT = permission("callcenter.rule_edit", _("Change the follow-up rules"), {Role.OEM_ADMIN})
FOLLOWUP_GENERATE = permission("callcenter.generate", _("Run follow-up generation for a date"),
                               {Role.OEM_ADMIN, Role.CC_SUPERVISOR})
# Agents work the call center's queues; a store's staff work the rules their store calls (DESIGN §9.2).
QUEUE_WORK = permission("callcenter.queue_work", _("Work follow-up queues (claim, call, record the outcome)"),
                        CALL_CENTER | DEALER_ROLES)
# The board, releasing or reassigning a held task and pausing a rule.
SUPERVISE = permission("callcenter.supervise", _("Supervise the queues"), {Role.OEM_ADMIN, Role.CC_SUPERVISOR})
BOARD_VIEW = permission("callcenter.board_view", _("See the call-center board"),
                        {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.CC_SUPERVISOR}, writes=False)
# Inbound hotline calls are the call center's; a store logs its key-account visits as calls of kind visit.
HOTLINE = permission("callcenter.hotline", _("Log inbound hotline calls"), CALL_CENTER)
CALL_LOG = permission("callcenter.call_log", _("Log calls and key-account visits"), CALL_CENTER | DEALER_ROLES,
                      api_clients=True)

# Complaints (投诉, DESIGN §9.3): opened by the call center, a store and dealer systems; worked by the store;
# escalations are HQ's and the region's; the confirmation call is the call center's.
COMPLAINT_OPEN = permission("callcenter.complaint_open", _("Open complaints"),
                            CALL_CENTER | DEALER_ROLES | {Role.OEM_ADMIN}, api_clients=True)
COMPLAINT_WORK = permission("callcenter.complaint_work", _("Acknowledge, note and resolve complaints"),
                            CALL_CENTER | {Role.DEALER_MANAGER, Role.SALES_CONSULTANT, Role.SERVICE_ADVISOR,
                                           Role.OEM_ADMIN, Role.REGION_MANAGER}, api_clients=True)
COMPLAINT_CONFIRM = permission("callcenter.complaint_confirm", _("Record the customer's confirmation call"),
                               CALL_CENTER | {Role.OEM_ADMIN})
COMPLAINT_ESCALATE = permission("callcenter.complaint_escalate", _("Escalate a complaint by hand"),
                                CALL_CENTER | {Role.OEM_ADMIN, Role.REGION_MANAGER, Role.DEALER_MANAGER})
COMPLAINT_SETTINGS = permission("callcenter.complaint_settings", _("Keep complaint categories and commitments"),
                                {Role.OEM_ADMIN})
COMPLAINT_EXPORT = permission("callcenter.complaint_export", _("Export complaints"),
                              {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.REGION_MANAGER, Role.DEALER_MANAGER,
                               Role.CC_SUPERVISOR}, writes=False)
