"""The core registry: what each domain app plugs into the core from its `AppConfig.ready()`.

The keys are fixed here; the apps fill them and the core only reads them, so the core imports no domain app
(NetBox's `netbox/registry.py` pattern). Every entry is a small frozen record of `crm_site.plugins`.
"""

from __future__ import annotations


class Registry(dict):
    """A dict with fixed keys: reading or writing an unknown key is a programming error, not a new section."""

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            raise KeyError(f"Invalid registry key {key!r}; the keys are {sorted(self)}.") from None

    def __setitem__(self, key, value):
        raise TypeError("The registry's keys are fixed; add entries to a section instead.")

    def __delitem__(self, key):
        raise TypeError("The registry's keys are fixed.")


registry = Registry({
    # Named permissions of every app (code → Permission), so tests and docs can walk them all.
    "permissions": {},
    # Navigation entries (MenuItem), ordered by their `order`.
    "menu": [],
    # Import and export kinds (key → ImportKind): columns, row handler, export rows, permissions.
    "import_kinds": {},
    # Customer 360 timeline sources (TimelineSource): a label and one scoped query each.
    "timeline_sources": [],
    # Panels of the customer 360 page (CustomerPanel): another app's rows about the customer, read through the scope.
    "customer_panels": [],
    # Finders for the customer search box (CustomerFinder): VIN, plate… → customers, walk-ins and what to show.
    "customer_finders": [],
    # Landing-page widgets (Widget), shown to the roles their permission names.
    "dashboard_widgets": [],
    # Callables run by tenant_create for a new tenant (TenantDefault): rules, templates, categories.
    "tenant_defaults": [],
    # What each app adds to the demo tenant (DemoData), run by seed_demo in the apps' order.
    "demo_data": [],
    # Customer foreign keys each app owns (MergeParticipant), moved onto the survivor by a merge.
    "merge_participants": [],
    # Parts another app adds to the call screen for some follow-ups (CallSection): a survey read in the call.
    "call_sections": [],
    # What each app deletes or blanks when its keeping period (crm_site.models.DataRetention) has passed (DataPurge).
    "data_purges": [],
    # Models whose change history is shown in a panel (HistorySubject, key → entry): crm_site.history reads them.
    "history_subjects": {},
})
