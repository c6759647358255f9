"""API of the call center."""
