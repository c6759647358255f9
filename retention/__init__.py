"""Retention metrics, lifecycle, campaigns and the HQ and dealer dashboards."""
