"""The notification bell: a user's alerts from scheduled work (uncontacted leads, escalations), newest first."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from .models import Notification
from .web import ScopeRequiredMixin


class NotificationList(ScopeRequiredMixin, View):
    """My latest notifications; POST marks them all read."""

    def get(self, request):
        rows = list(Notification.objects.scoped(self.scope)[:100])
        return render(request, "notifications.html", {"notifications": rows,
                                                      "unread": sum(1 for n in rows if n.read_at is None)})

    def post(self, request):
        Notification.objects.scoped(self.scope).filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("All notifications marked as read."))
        return redirect("notifications")


class NotificationOpen(ScopeRequiredMixin, View):
    """Mark one notification read and follow its link (only to a page of this site)."""

    def post(self, request, pk: int):
        notification = get_object_or_404(Notification.objects.scoped(self.scope), pk=pk)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        target = notification.link
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect("notifications")
        return redirect(target)


class NotificationBadge(ScopeRequiredMixin, View):
    """The unread count for the bell, loaded by htmx after the page so pages keep their own query count."""

    def get(self, request):
        count = Notification.objects.scoped(self.scope).filter(read_at__isnull=True).count()
        if not count:
            return HttpResponse("")
        label = _("%(count)d unread") % {"count": count}
        return HttpResponse(format_html('<span class="badge" title="{}">{}</span>', label,
                                        "99+" if count > 99 else count))
