"""REST API of customers and leads."""
