"""Browser pages of customers, leads and duplicates."""
