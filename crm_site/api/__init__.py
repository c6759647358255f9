"""The API base: authentication, permissions, pagination, errors, schema and the scoped viewset."""
