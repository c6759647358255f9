"""Organisation: tenants, regions, dealers, staff users and API clients."""
