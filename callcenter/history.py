"""The change history of complaints and follow-up rules (issue 14): their panels, and the complaint text erased."""

from __future__ import annotations

from crm_site import plugins

from .access import RULE_EDIT, RULE_VIEW
from .models import Complaint, ComplaintHistory, FollowUpRule, FollowUpRuleHistory

COMPLAINT_HISTORY = plugins.HistorySubject(
    key="complaint", model=Complaint, event_model=ComplaintHistory,
    # An erasure blanks a complaint's free text (customers.data_subject); its history keeps none of it either.
    customer_field="customer_id", personal_fields=("description", "resolution"),
)
# Whoever may open the rules page (HQ, the call center, analysts) sees how a rule came to be.
RULE_HISTORY = plugins.HistorySubject(key="follow_up_rule", model=FollowUpRule, event_model=FollowUpRuleHistory,
                                      permission=(RULE_VIEW, RULE_EDIT))
