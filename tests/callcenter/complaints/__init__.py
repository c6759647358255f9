"""Tests of complaints (投诉)."""
