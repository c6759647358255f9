"""App configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Satisfaction survey templates, invitations, responses and indices."""

    name = "surveys"
    verbose_name = _("Surveys")
