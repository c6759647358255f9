"""The change history of vehicles (issue 14): the panel on the vehicle page."""

from __future__ import annotations

from crm_site import plugins

from .models import Vehicle, VehicleHistory

# The owner is shown by name only to those who see that customer (the panel reads names through the scope).
VEHICLE_HISTORY = plugins.HistorySubject(key="vehicle", model=Vehicle, event_model=VehicleHistory)
