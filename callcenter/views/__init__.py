"""Pages of the call center."""
