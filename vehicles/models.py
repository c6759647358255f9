"""Vehicles and what dealers did with them: catalogue, vehicles, ownership, sales, service visits, related purchases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site import history
from crm_site.models import DealerOwned, TenantOwned, dealer_scope_q, tenant_key
from crm_site.scope import Scope
from crm_site.validators import validate_plate, validate_vin
from customers.choices import LinkKind

from . import choices


class VehicleModel(TenantOwned):
    """A model of the automaker's catalogue (车型), seen by the whole tenant."""

    code = models.CharField(_("code"), max_length=32)
    series = models.CharField(_("series"), max_length=64)
    name = models.CharField(_("model"), max_length=100)
    year = models.PositiveSmallIntegerField(_("model year"))
    fuel_type = models.CharField(_("fuel type"), max_length=16, choices=choices.FuelType.choices)
    price_band = models.CharField(_("price band"), max_length=16, choices=choices.PriceBand.choices)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("vehicle model")
        verbose_name_plural = _("vehicle models")
        ordering = ["series", "name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="vehicle_model_code_unique_per_tenant",
                                    violation_error_message=_("A model with this code already exists.")),
        ]

    def __str__(self) -> str:
        # Catalogues (ours generated, DMS feeds) often repeat the series in the model name ("凌风 1.5T 豪华版"):
        # the series is shown once either way.
        name = self.name if self.name.startswith(self.series) else f"{self.series} {self.name}".strip()
        return f"{name} {self.year}"


def vehicles_linked_to_scope(scope: Scope, field: str = "pk") -> Q:
    """Vehicles linked to a dealer the scope sees (tenant-wide scopes see every vehicle)."""
    q = Q(tenant_id=scope.tenant_id)
    if scope.dealer_ids is not None:
        links = VehicleDealer.objects.filter(tenant_id=scope.tenant_id, dealer_id__in=scope.dealer_ids)
        q &= Q(**{f"{field}__in": links.values("vehicle_id")})
    return q


# The mileage is left out: every service visit moves it, and the visits are its history.
@history.track(model_name="VehicleHistory", exclude=("mileage_km",))
class Vehicle(TenantOwned):
    """One car of the network, known by its VIN (车架号)."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    vin = models.CharField(_("VIN"), max_length=17, validators=[validate_vin])
    plate = models.CharField(_("plate number"), max_length=10, blank=True, validators=[validate_plate])
    model = models.ForeignKey(VehicleModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("model"))
    colour = models.CharField(_("colour"), max_length=32, blank=True)
    owner = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="vehicles", verbose_name=_("owner"), db_index=False)
    selling_dealer = models.ForeignKey("dealers.Dealer", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("selling dealer"))
    delivered_on = models.DateField(_("delivery date"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("last known mileage (km)"), null=True, blank=True)
    scrapped_on = models.DateField(_("scrapped on"), null=True, blank=True)
    # Stock (库存): received by a dealer and not yet delivered. A delivery (delivered_on) or scrapping ends it.
    stock_dealer = models.ForeignKey("dealers.Dealer", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("in stock at"), db_index=False)
    in_stock_since = models.DateField(_("in stock since"), null=True, blank=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "vin"], name="vehicle_vin_unique_per_tenant",
                                    violation_error_message=_("A vehicle with this VIN already exists.")),
        ]
        indexes = [
            models.Index(fields=["tenant", "plate"], name="vehicle_plate_idx"),
            models.Index(fields=["owner"], name="vehicle_owner_idx"),
            models.Index(fields=["tenant", "selling_dealer", "delivered_on"], name="vehicle_sold_idx"),
            models.Index(fields=["tenant", "updated_at"], name="vehicle_tenant_updated_idx"),
            # Only vehicles in stock are indexed: a few per cent of the fleet, read by the stock pages.
            models.Index(fields=["tenant", "stock_dealer", "in_stock_since"], name="vehicle_stock_idx",
                         condition=Q(stock_dealer__isnull=False, delivered_on__isnull=True, scrapped_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.vin}{' · ' + self.plate if self.plate else ''}"

    @property
    def stock_state(self) -> str:
        """in_stock (at a dealer since a date), sold (delivered), scrapped, or "" (unknown)."""
        if self.scrapped_on:
            return "scrapped"
        if self.delivered_on:
            return "sold"
        return "in_stock" if self.stock_dealer_id else ""

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return vehicles_linked_to_scope(scope)


class VehicleDealer(TenantOwned):
    """A vehicle's link to a dealer (sold or serviced it), with the dealer system's own id for it."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    # vehicle_dealer_unique leads with the vehicle.
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="dealer_links", db_index=False)
    dealer = models.ForeignKey("dealers.Dealer", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=LinkKind.choices)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "dealer"], name="vehicle_dealer_unique"),
            models.UniqueConstraint(
                fields=["dealer", "external_id"], condition=~Q(external_id=""),
                name="vehicle_external_id_unique_per_dealer",
                violation_error_message=_("Another vehicle already has this external id at this dealer."),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "dealer", "vehicle"], name="vehdealer_scope_idx")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return dealer_scope_q(scope)


class Ownership(TenantOwned):
    """Who owned a vehicle when: a sale starts one, a transfer (二手车置换) ends it and starts the next."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="ownerships")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="ownerships")
    kind = models.CharField(max_length=16, choices=choices.OwnershipKind.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vehicle"], condition=Q(ended_on__isnull=True),
                                    name="ownership_one_current_per_vehicle"),
        ]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return vehicles_linked_to_scope(scope, "vehicle_id")


class Sale(DealerOwned):
    """A delivery of a vehicle by a dealer to a customer (交车)."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="sales", verbose_name=_("vehicle"),
                                db_index=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="purchases",
                                 verbose_name=_("customer"), db_index=False)
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("sales consultant"))
    lead = models.ForeignKey("customers.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             db_index=False)
    kind = models.CharField(_("kind"), max_length=16, choices=choices.SaleKind.choices, default=choices.SaleKind.NEW)
    delivered_on = models.DateField(_("delivery date"))
    price = models.DecimalField(_("price (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "external_id"], condition=~Q(external_id=""), name="sale_external_id_unique_per_dealer",
                violation_error_message=_("A sale with this external id already exists at this dealer."),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "dealer", "delivered_on"], name="sale_dealer_date_idx"),
            models.Index(fields=["customer"], name="sale_customer_idx"),
            models.Index(fields=["vehicle"], name="sale_vehicle_idx"),
            # Most sales have no lead: only the others are indexed, enough for a lead's deletion (SET NULL).
            models.Index(fields=["lead"], condition=Q(lead__isnull=False), name="sale_lead_idx"),
            models.Index(fields=["tenant", "updated_at"], name="sale_tenant_updated_idx"),
        ]


class ServiceVisit(DealerOwned):
    """A repair order (维修工单): a vehicle's visit to a dealer's workshop."""

    tenant = tenant_key(db_index=False)  # its composite indexes lead with the tenant
    # visit_vehicle_idx leads with the vehicle; visit_customer_idx is the customer's.
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="visits", verbose_name=_("vehicle"),
                                db_index=False)
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="visits", verbose_name=_("customer"), db_index=False)
    advisor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("service advisor"))
    kind = models.CharField(_("kind"), max_length=24, choices=choices.VisitKind.choices)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    amount = models.DecimalField(_("amount (¥)"), max_digits=12, decimal_places=2, default=0)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("service visit")
        verbose_name_plural = _("service visits")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "external_id"], condition=~Q(external_id=""),
                name="visit_external_id_unique_per_dealer",
                violation_error_message=_("A service visit with this external id already exists at this dealer."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="visit_closes_after_opening",
                violation_error_message=_("A visit cannot close before it opened."),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "dealer", "id"], name="visit_dealer_id_idx"),
            models.Index(fields=["vehicle", "opened_at"], name="visit_vehicle_idx"),
            models.Index(fields=["customer"], name="visit_customer_idx"),
            models.Index(fields=["tenant", "updated_at"], name="visit_tenant_updated_idx"),
        ]


class RelatedPurchase(DealerOwned):
    """Insurance, extended warranty, accessories or finance bought with a car (the "Related" of 3R)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="related_purchases",
                                 verbose_name=_("customer"))
    vehicle = models.ForeignKey(Vehicle, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("vehicle"))
    kind = models.CharField(_("kind"), max_length=24, choices=choices.RelatedKind.choices)
    purchased_on = models.DateField(_("purchased on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    amount = models.DecimalField(_("amount (¥)"), max_digits=12, decimal_places=2, null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("related purchase")
        verbose_name_plural = _("related purchases")
        constraints = [
            models.UniqueConstraint(
                fields=["dealer", "external_id"], condition=~Q(external_id=""),
                name="related_external_id_unique_per_dealer",
                violation_error_message=_("A related purchase with this external id already exists at this dealer."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("purchased_on")),
                name="related_expires_after_purchase",
                violation_error_message=_("It cannot expire before it was bought."),
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "kind", "expires_on"], name="related_expiry_idx"),
            models.Index(fields=["customer"], name="related_customer_idx"),
            models.Index(fields=["tenant", "updated_at"], name="related_tenant_updated_idx"),
        ]


def vehicle_stock_receive(*, vehicle_id: int, dealer_id: int, since) -> int:
    """Put a vehicle in a dealer's stock since a date (the DMS or an import says it arrived); returns rows changed."""
    return Vehicle.objects.filter(pk=vehicle_id).update(stock_dealer_id=dealer_id, in_stock_since=since)
