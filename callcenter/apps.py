"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallcenterConfig(AppConfig):
    """Calls, follow-up rules and queues, and complaints."""

    name = "callcenter"
    verbose_name = _("Call center")
