"""What the supervisor board registers with the core (called from CallcenterConfig.ready)."""


def register() -> None:
    """Register the board's menu entry and its landing-page widget for supervisors."""
    from django.utils.translation import gettext_lazy as _

    from crm_site import plugins

    from ..access import BOARD_VIEW
    from .widgets import WIDGETS

    plugins.register_menu(plugins.MenuItem(_("Call-center board"), "callcenter:board", BOARD_VIEW, order=31))
    plugins.register_widgets(*WIDGETS)
