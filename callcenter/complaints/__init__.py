"""Complaints (投诉): commitments on working time, escalation dealer → region → HQ, the confirmation call."""
