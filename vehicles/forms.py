"""Browser forms of the counter: record a sale, record a service visit, transfer a vehicle."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.scope import Scope
from crm_site.validators import (
    normalize_mobile,
    normalize_person_name,
    normalize_plate,
    normalize_resident_id,
    normalize_vin,
)
from customers.choices import OPEN_LEAD_STAGES
from customers.forms import (
    ConsultantChoiceField,
    CustomerPickMixin,
    DateInput,
    DateTimeInput,
    sales_consultants,
)
from customers.models import Customer, Lead
from dealers.choices import Role
from dealers.models import Dealer, User

from . import choices
from .models import Sale, VehicleModel

MOBILE_HELP = _("11 digits, e.g. 13812345678.")


def _optional(normaliser, value: str) -> str:
    """Normalise a value when one was typed."""
    value = (value or "").strip()
    return normaliser(value) if value else ""


class LeadChoiceField(forms.ModelChoiceField):
    """An open lead, named by its customer and stage."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.customer.name} · {obj.get_stage_display()}"


class DealerChoiceMixin:
    """A form for a dealer's record: a one-dealer scope gives the dealer, a wider one chooses it (HQ at a counter)."""

    def setup_dealer(self, scope: Scope) -> int | None:
        """Drop or fill the dealer field; returns the scope's own dealer when it has just one."""
        dealer_id = scope.single_dealer_id
        if dealer_id:
            del self.fields["dealer"]
        else:
            self.fields["dealer"].queryset = Dealer.objects.scoped(scope).filter(is_active=True).order_by("code")
        return dealer_id

    def chosen_dealer_id(self, data: dict) -> int | None:
        """The dealer of the record: the scope's own, or the one chosen."""
        dealer = data.get("dealer")
        return self.scope.single_dealer_id or (dealer.pk if dealer else None)


class SaleForm(DealerChoiceMixin, CustomerPickMixin, forms.Form):
    """One delivery: the customer (picked or typed), the vehicle, and the deal."""

    pick_fields = ("customer",)

    dealer = forms.ModelChoiceField(label=_("dealer"), queryset=Dealer.objects.none())
    customer = forms.ModelChoiceField(label=_("existing customer"), queryset=Customer.objects.none(), required=False)
    name = forms.CharField(label=_("full name"), max_length=100, required=False)
    mobile = forms.CharField(label=_("mobile"), max_length=32, required=False, help_text=MOBILE_HELP)
    id_number = forms.CharField(label=_("resident ID number"), max_length=32, required=False)
    vin = forms.CharField(label=_("VIN"), max_length=32)
    plate = forms.CharField(label=_("plate number"), max_length=16, required=False)
    model = forms.ModelChoiceField(label=_("model"), queryset=VehicleModel.objects.none())
    colour = forms.CharField(label=_("colour"), max_length=32, required=False)
    delivered_on = forms.DateField(label=_("delivery date"), widget=DateInput())
    price = forms.DecimalField(label=_("price (¥)"), max_digits=12, decimal_places=2, min_value=0, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=choices.SaleKind.choices, initial=choices.SaleKind.NEW)
    consultant = ConsultantChoiceField(label=_("sales consultant"), queryset=User.objects.none(), required=False)
    lead = LeadChoiceField(label=_("lead"), queryset=Lead.objects.none(), required=False,
                           help_text=_("The lead this sale wins, if any."))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        dealer_id = self.setup_dealer(scope)
        self.fields["customer"].queryset = Customer.objects.scoped(scope)
        models = VehicleModel.objects.scoped(scope).filter(is_active=True)
        self.fields["model"].queryset = models
        # An empty catalogue must not block the counter; the sale is recorded without a model then.
        self.fields["model"].required = models.exists()
        self.fields["lead"].queryset = (Lead.objects.scoped(scope).filter(stage__in=OPEN_LEAD_STAGES)
                                        .select_related("customer").order_by("-created_at"))
        self.fields["delivered_on"].initial = timezone.localdate()
        if scope.role == Role.SALES_CONSULTANT:
            self.fields["consultant"].initial = scope.user_id
        if not self.is_bound:
            self.prefill_from_lead()
        # The consultant list follows the chosen dealer (reloaded with htmx when it changes; clean() checks it too).
        dealer_id = dealer_id or self.dealer_choice()
        self.fields["consultant"].queryset = sales_consultants(scope, dealer_id)
        self.fields["consultant"].with_dealer = dealer_id is None

    def dealer_choice(self) -> int | None:
        """The dealer chosen in the form (posted, or given as initial), when the scope has several."""
        if "dealer" not in self.fields:
            return None
        value = self.data.get(self.add_prefix("dealer")) if self.is_bound else self.initial.get("dealer")
        value = getattr(value, "pk", value)
        if not value or not str(value).isdigit() or len(str(value)) > 18:
            return None
        return self.fields["dealer"].queryset.filter(pk=value).values_list("pk", flat=True).first()

    def prefill_from_lead(self) -> None:
        """"记录成交" from a lead card: the lead's customer, interested model, dealer and consultant come preselected."""
        lead_id = self.initial.get("lead")
        lead = self.fields["lead"].queryset.filter(pk=lead_id).first() if str(lead_id or "").isdigit() else None
        if lead is None:
            self.initial.pop("lead", None)
            return
        self.initial.setdefault("customer", lead.customer_id)
        if lead.interested_model_id and self.fields["model"].queryset.filter(pk=lead.interested_model_id).exists():
            self.initial.setdefault("model", lead.interested_model_id)
        if "dealer" in self.fields:
            self.initial.setdefault("dealer", lead.dealer_id)
        if lead.assigned_to_id:
            self.initial["consultant"] = lead.assigned_to_id

    def clean_vin(self) -> str:
        return normalize_vin(self.cleaned_data["vin"])

    def clean_plate(self) -> str:
        return _optional(normalize_plate, self.cleaned_data.get("plate"))

    def clean_name(self) -> str:
        return _optional(normalize_person_name, self.cleaned_data.get("name"))

    def clean_mobile(self) -> str:
        return _optional(normalize_mobile, self.cleaned_data.get("mobile"))

    def clean_id_number(self) -> str:
        return _optional(normalize_resident_id, self.cleaned_data.get("id_number"))

    def clean(self):
        data = super().clean()
        dealer_id = self.chosen_dealer_id(data)
        typed = data.get("name") or data.get("mobile") or data.get("id_number")
        if not data.get("customer") and not data.get("lead") and not typed and "name" not in self.errors:
            self.add_error("name", _("Enter the customer's name and mobile, or choose an existing customer."))
        consultant, lead = data.get("consultant"), data.get("lead")
        if dealer_id and consultant and consultant.dealer_id != dealer_id:
            self.add_error("consultant", _("Choose an active sales consultant of this dealer."))
        if dealer_id and lead and lead.dealer_id != dealer_id:
            self.add_error("lead", _("This lead belongs to another dealer."))
        vin = data.get("vin")
        if vin and data.get("kind") == choices.SaleKind.NEW and Sale.objects.filter(
                tenant_id=self.scope.tenant_id, vehicle__vin=vin, kind=choices.SaleKind.NEW).exists():
            self.add_error("kind", _("This vehicle was already sold new: choose used car or trade-in."))
        data["dealer_id"] = dealer_id
        return data

    def sale_customer(self) -> Customer | None:
        """The chosen customer, or the lead's when nothing about a customer was typed."""
        data = self.cleaned_data
        if data.get("customer"):
            return data["customer"]
        if data.get("lead") and not (data.get("name") or data.get("mobile") or data.get("id_number")):
            return data["lead"].customer
        return None


_VIN_SHAPED = re.compile(r"[A-Za-z0-9]{17}")


def vehicle_key(text: str) -> tuple[str, str]:
    """(VIN, "") or ("", plate) from what was typed at the counter; ValidationError when it is neither."""
    text = "".join((text or "").split())
    if _VIN_SHAPED.fullmatch(text):
        return normalize_vin(text), ""
    try:
        return "", normalize_plate(text)
    except ValidationError:
        raise ValidationError(_("Enter the 17-character VIN or a plate such as 京A12345."), code="invalid") from None


class VisitForm(DealerChoiceMixin, forms.Form):
    """A repair order: the vehicle by VIN or plate (registered here when unknown) and the visit itself."""

    dealer = forms.ModelChoiceField(label=_("dealer"), queryset=Dealer.objects.none())
    q = forms.CharField(label=_("VIN or plate"), max_length=32,
                        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("kind"), choices=choices.VisitKind.choices, initial=choices.VisitKind.MAINTENANCE)
    opened_at = forms.DateTimeField(label=_("opened"), widget=DateTimeInput())
    closed_at = forms.DateTimeField(label=_("closed"), required=False, widget=DateTimeInput())
    mileage_km = forms.IntegerField(label=_("mileage (km)"), min_value=0, max_value=2_000_000, required=False)
    amount = forms.DecimalField(label=_("amount (¥)"), max_digits=12, decimal_places=2, min_value=0, initial=0,
                                required=False)
    advisor = ConsultantChoiceField(label=_("service advisor"), queryset=User.objects.none(), required=False)
    new_vin = forms.CharField(label=_("VIN"), max_length=32, required=False,
                              help_text=_("Needed when the vehicle is not known yet."))
    new_plate = forms.CharField(label=_("plate number"), max_length=16, required=False)
    model = forms.ModelChoiceField(label=_("model"), queryset=VehicleModel.objects.none(), required=False)
    colour = forms.CharField(label=_("colour"), max_length=32, required=False)
    owner_name = forms.CharField(label=_("owner's name"), max_length=100, required=False)
    owner_mobile = forms.CharField(label=_("owner's mobile"), max_length=32, required=False, help_text=MOBILE_HELP)
    owner_unknown = forms.BooleanField(label=_("owner unknown"), required=False,
                                       help_text=_("Register the vehicle without an owner (the owner is not known)."))
    odometer_replaced = forms.BooleanField(
        label=_("odometer replaced"), required=False,
        help_text=_("Tick when the mileage is lower than last time because the odometer was replaced."))

    REGISTER_FIELDS = ("new_vin", "new_plate", "model", "colour", "owner_name", "owner_mobile")

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.vin = self.plate = ""
        dealer_id = self.setup_dealer(scope)
        advisors = User.objects.scoped(scope).filter(role=Role.SERVICE_ADVISOR, is_active=True)
        if dealer_id:
            advisors = advisors.filter(dealer_id=dealer_id)
        self.fields["advisor"].queryset = advisors.select_related("dealer").order_by("full_name", "username")
        self.fields["advisor"].with_dealer = dealer_id is None
        self.fields["model"].queryset = VehicleModel.objects.scoped(scope).filter(is_active=True)
        self.fields["opened_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if scope.role == Role.SERVICE_ADVISOR:
            self.fields["advisor"].initial = scope.user_id

    def visit_fields(self):
        """The fields of the visit itself, for the template."""
        return [self[name] for name in ("kind", "opened_at", "closed_at", "mileage_km", "amount", "advisor")]

    def register_fields(self):
        """The fields that register an unknown vehicle and its owner."""
        return [self[name] for name in self.REGISTER_FIELDS]

    @property
    def register_open(self) -> bool:
        """Show the registration part when it holds input or errors."""
        return self.is_bound and any(self.data.get(name) or self.errors.get(name)
                                     for name in (*self.REGISTER_FIELDS, "owner_unknown"))

    def clean_q(self) -> str:
        self.vin, self.plate = vehicle_key(self.cleaned_data["q"])
        return self.vin or self.plate

    def clean_new_vin(self) -> str:
        return _optional(normalize_vin, self.cleaned_data.get("new_vin"))

    def clean_new_plate(self) -> str:
        return _optional(normalize_plate, self.cleaned_data.get("new_plate"))

    def clean_owner_name(self) -> str:
        return _optional(normalize_person_name, self.cleaned_data.get("owner_name"))

    def clean_owner_mobile(self) -> str:
        return _optional(normalize_mobile, self.cleaned_data.get("owner_mobile"))

    def clean(self):
        data = super().clean()
        opened, closed = data.get("opened_at"), data.get("closed_at")
        if opened and closed and closed < opened:
            self.add_error("closed_at", _("A visit cannot close before it opened."))
        dealer_id = self.chosen_dealer_id(data)
        advisor = data.get("advisor")
        if dealer_id and advisor and advisor.dealer_id != dealer_id:
            self.add_error("advisor", _("Choose an active service advisor of this dealer."))
        data["dealer_id"] = dealer_id
        if data.get("amount") is None:
            data["amount"] = 0
        return data


class TransferForm(CustomerPickMixin, forms.Form):
    """Hand a vehicle to a new owner (二手车 / 置换): an existing customer or a new one."""

    pick_fields = ("new_owner",)

    new_owner = forms.ModelChoiceField(label=_("existing customer"), queryset=Customer.objects.none(), required=False)
    name = forms.CharField(label=_("full name"), max_length=100, required=False)
    mobile = forms.CharField(label=_("mobile"), max_length=32, required=False, help_text=MOBILE_HELP)
    on = forms.DateField(label=_("transfer date"), widget=DateInput())

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_owner"].queryset = Customer.objects.scoped(scope)
        self.fields["on"].initial = timezone.localdate()

    def clean_name(self) -> str:
        return _optional(normalize_person_name, self.cleaned_data.get("name"))

    def clean_mobile(self) -> str:
        return _optional(normalize_mobile, self.cleaned_data.get("mobile"))

    def clean(self):
        data = super().clean()
        if not data.get("new_owner") and not data.get("name") and "name" not in self.errors:
            self.add_error("name", _("Enter the new owner's name and mobile, or choose an existing customer."))
        return data
