"""The core's models: base classes for tenant-owned rows, the audit log and notifications."""

from .audit import AuditEvent, audit
from .base import DealerOwned, ScopedManager, ScopedQuerySet, TenantOwned, dealer_scope_q, tenant_key
from .notifications import Notification, notify
from .retention import DataRetention

__all__ = ["AuditEvent", "DataRetention", "DealerOwned", "Notification", "ScopedManager", "ScopedQuerySet", "TenantOwned", "audit",
           "dealer_scope_q", "notify", "tenant_key"]
