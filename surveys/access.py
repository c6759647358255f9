"""Who may do what with satisfaction surveys (满意度调查, DESIGN §2, §9.4)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm_site.access import permission
from dealers.choices import Role

HQ = {Role.OEM_ADMIN, Role.OEM_ANALYST, Role.CC_SUPERVISOR}

# Templates are HQ's (DESIGN §2: oem_admin changes templates); the call center and analysts read them.
TEMPLATE_EDIT = permission("surveys.template_edit", _("Change the survey templates"), {Role.OEM_ADMIN})
TEMPLATE_VIEW = permission("surveys.template_view", _("See the survey templates"),
                           HQ | {Role.CC_AGENT, Role.OEM_ADMIN}, api_clients=True, writes=False)
# Indices and rankings: HQ, a region its dealers, a dealer manager its own store, and dealer systems (read).
INDEX_VIEW = permission("surveys.index_view", _("See satisfaction indices and rankings"),
                        HQ | {Role.REGION_MANAGER, Role.DEALER_MANAGER}, api_clients=True, writes=False)
# Invitations and responses are read by whoever reads the indices, and by the agents who read the surveys.
RESPONSE_VIEW = permission("surveys.response_view", _("See survey invitations and responses"),
                           HQ | {Role.REGION_MANAGER, Role.DEALER_MANAGER, Role.CC_AGENT}, api_clients=True,
                           writes=False)
# Agents read surveys in a call and save the answers (DESIGN §2); a dealer system may post answers its own
# tablet collected at the counter, for its own store's invitations (a write client).
RESPONSE_RECORD = permission("surveys.response_record", _("Record survey answers"),
                             {Role.CC_AGENT, Role.CC_SUPERVISOR}, api_clients=True)
INVITATION_GENERATE = permission("surveys.invitation_generate", _("Generate survey invitations for a date"),
                                 {Role.OEM_ADMIN, Role.CC_SUPERVISOR})
# The dealer survey (经销商满意度调查): HQ invites, dealer managers answer logged in.
DEALER_SURVEY_INVITE = permission("surveys.dealer_survey_invite", _("Invite dealer managers to the dealer survey"),
                                  {Role.OEM_ADMIN})
DEALER_SURVEY_ANSWER = permission("surveys.dealer_survey_answer", _("Answer the dealer survey"),
                                  {Role.DEALER_MANAGER})
# Signs of gaming are HQ's to act on.
SIGNALS_VIEW = permission("surveys.signals_view", _("See signs of survey gaming"), HQ, writes=False)
