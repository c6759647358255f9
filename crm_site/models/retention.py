"""How long each kind of record is kept, per tenant (issue 14): audit rows, call notes, attachments, and more as
apps register them (crm_site.plugins.DataPurge)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import TenantOwned


def months_field(label, default: int, help_text) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, default=default, help_text=help_text,
                                            validators=[MinValueValidator(1), MaxValueValidator(240)])


class DataRetention(TenantOwned):
    """The tenant's keeping periods, in months; the nightly purge removes what is older."""

    audit_months = months_field(_("audit log (months)"), 36,
                                _("Who changed, revealed or exported what: kept this long, then deleted."))
    call_notes_months = months_field(_("call notes (months)"), 24,
                                     _("The free text of calls and follow-ups: blanked after this long; the calls "
                                       "and their outcomes stay for the figures."))
    attachments_months = months_field(_("attachments (months)"), 36,
                                      _("Photos and documents of closed complaints: deleted after this long."))
    history_months = months_field(_("change history (months)"), 24,
                                  _("Who changed a customer, vehicle, consent, complaint or follow-up rule, when and "
                                    "what: kept this long, then deleted."))

    class Meta:
        verbose_name = _("data retention")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="data_retention_one_per_tenant")]

    @classmethod
    def for_tenant(cls, tenant_id: int) -> DataRetention:
        """The tenant's periods (the defaults when it never changed them)."""
        return cls._base_manager.filter(tenant_id=tenant_id).first() or cls(tenant_id=tenant_id)
