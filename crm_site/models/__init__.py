"""The core's models: base classes for tenant-owned rows, the audit log, notifications and import jobs."""

from .audit import AuditEvent, audit
from .base import DealerOwned, ScopedManager, ScopedQuerySet, TenantOwned, dealer_scope_q
from .imports import ImportJob
from .notifications import Notification, notify

__all__ = ["AuditEvent", "DealerOwned", "ImportJob", "Notification", "ScopedManager", "ScopedQuerySet",
           "TenantOwned", "audit", "dealer_scope_q", "notify"]
