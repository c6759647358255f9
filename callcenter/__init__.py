"""Calls, follow-up rules and queues, and complaints."""
