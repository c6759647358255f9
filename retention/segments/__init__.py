"""Customer segments (k-means over attributes and value) and association rules (attributes → series bought)."""
