"""Satisfaction survey templates, invitations, responses and indices."""
