"""Customers and leads: the unified customer record (统一客户视图)."""
