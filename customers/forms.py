"""Browser forms of the customer pages: edit a customer, do-not-call, consent, leads, merge."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.scope import Scope
from crm_site.validators import (
    NOTES_MAX_LENGTH,
    national_mobile,
    normalize_mobile,
    normalize_person_name,
    normalize_resident_id,
)
from dealers.choices import Role
from dealers.models import Dealer, User

from . import choices
from .models import NOTES_HELP, Customer, Lead


class DateInput(forms.DateInput):
    """The browser's date picker, with the ISO value it expects."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """The browser's local date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def add_service_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError next to the fields it names (aliases map service keys to form fields)."""
    aliases = aliases or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        name = aliases.get(key, key)
        form.add_error(name if name in form.fields else None, messages)


def sales_consultants(scope: Scope, dealer_id: int | None = None):
    """Active sales consultants the scope sees (of one dealer when given)."""
    queryset = User.objects.scoped(scope).filter(role=Role.SALES_CONSULTANT, is_active=True)
    if dealer_id:
        queryset = queryset.filter(dealer_id=dealer_id)
    return queryset.select_related("dealer").order_by("full_name", "username")


class ConsultantChoiceField(forms.ModelChoiceField):
    """A staff member, named with their dealer when the list spans several dealers."""

    def __init__(self, *args, with_dealer: bool = False, **kwargs):
        self.with_dealer = with_dealer
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return f"{obj} · {obj.dealer.code}" if self.with_dealer and obj.dealer_id else str(obj)


class CustomerPickMixin:
    """Forms with fields filled by the customer picker (radio buttons loaded with htmx, never a full list)."""

    pick_fields: tuple[str, ...] = ()

    def picked(self) -> dict[str, dict]:
        """Per pick field, the chosen customer and the search text, so a re-rendered form keeps both."""
        result = {}
        for name in self.pick_fields:
            field = self.fields[name]
            value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
            if isinstance(value, Customer):
                chosen = value
            elif value and str(value).isdigit() and len(str(value)) < 19:
                chosen = field.queryset.filter(pk=value).first()
            else:
                chosen = None
            query = self.data.get(f"{name}_q", "") if self.is_bound else ""
            result[name] = {"customer": chosen, "query": query}
        return result


class CustomerForm(forms.Form):
    """Edit a customer; mobile and ID number are checked against every other customer of the tenant."""

    FIELDS = ["kind", "name", "mobile", "gender", "birth_date", "province", "city", "address", "occupation",
              "income_band", "education", "company_name", "fleet_size", "notes"]

    def __init__(self, *args, customer: Customer, **kwargs):
        initial = {name: getattr(customer, name) for name in self.FIELDS}
        initial["mobile"] = national_mobile(customer.mobile)
        super().__init__(*args, initial=initial, **kwargs)
        model_fields = forms.fields_for_model(
            Customer, fields=self.FIELDS,
            widgets={"birth_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})},
        )
        model_fields["mobile"].help_text = _("11 digits, e.g. 13812345678.")
        model_fields["name"].label = _("full name")
        id_number = forms.CharField(
            label=_("resident ID number"), required=False, max_length=32,
            help_text=_("Leave empty to keep the number on record."),
        )
        ordered = {}
        for name, field in model_fields.items():
            ordered[name] = field
            if name == "mobile":
                ordered["id_number"] = id_number
        self.fields = ordered

    def clean_name(self) -> str:
        return normalize_person_name(self.cleaned_data["name"])

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile", "")
        return normalize_mobile(value) if value else ""

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        return normalize_resident_id(value) if value else ""

    def service_data(self) -> dict:
        """What customer_update should set (an empty ID number keeps the stored one)."""
        data = dict(self.cleaned_data)
        if not data.get("id_number"):
            data.pop("id_number", None)
        return data


class DoNotCallForm(forms.Form):
    """Set or clear do-not-call; setting it needs a reason."""

    do_not_call = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("do_not_call") and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why the customer does not want calls."))
        return data


class ConsentForm(forms.Form):
    """Record a consent given or withdrawn for one channel and purpose."""

    channel = forms.ChoiceField(label=_("channel"), choices=choices.ConsentChannel.choices)
    purpose = forms.ChoiceField(label=_("purpose"), choices=choices.ConsentPurpose.choices)
    granted = forms.TypedChoiceField(
        label=_("consent"), choices=[("yes", _("Given")), ("no", _("Withdrawn"))], coerce=lambda v: v == "yes",
    )
    source = forms.ChoiceField(label=_("source"), choices=choices.RecordSource.choices,
                               initial=choices.RecordSource.COUNTER)
    text_version = forms.CharField(label=_("consent text version"), max_length=32, required=False)


def vehicle_catalogue():
    """The model catalogue, which the vehicles app owns: reached through the lead's foreign key, not imported."""
    return Lead.interested_model.field.related_model


def _id_or_none(value) -> int | None:
    """A posted primary key as an int, or None when it cannot be one."""
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 19 else None


class LeadForm(CustomerPickMixin, forms.Form):
    """Open a lead for an existing customer (picked) or a new one (name and mobile).

    A dealer-bound scope opens it for its own dealer; HQ and the call center choose the store (the caller names it),
    and the consultant list follows the chosen dealer.
    """

    pick_fields = ("customer", "referred_by")

    dealer = forms.ModelChoiceField(label=_("dealer"), queryset=Dealer.objects.none(),
                                    help_text=_("The store that works the lead."))
    customer = forms.ModelChoiceField(label=_("existing customer"), queryset=Customer.objects.none(), required=False)
    name = forms.CharField(label=_("full name"), max_length=100, required=False)
    mobile = forms.CharField(label=_("mobile"), max_length=32, required=False,
                             help_text=_("11 digits, e.g. 13812345678."))
    source = forms.ChoiceField(label=_("source"), choices=choices.LeadSource.choices,
                               initial=choices.LeadSource.WALK_IN)
    referred_by = forms.ModelChoiceField(label=_("referred by"), queryset=Customer.objects.none(), required=False)
    interested_model = forms.ModelChoiceField(label=_("interested model"), queryset=Customer.objects.none(),
                                              required=False)
    assigned_to = ConsultantChoiceField(
        label=_("sales consultant"), queryset=User.objects.none(), required=False,
        empty_label=_("Automatic: the consultant with the fewest open leads"),
    )
    next_action_on = forms.DateField(label=_("next action"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=NOTES_MAX_LENGTH, help_text=NOTES_HELP)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["customer"].queryset = Customer.objects.scoped(scope)
        self.fields["referred_by"].queryset = Customer.objects.scoped(scope)
        self.fields["interested_model"].queryset = vehicle_catalogue().objects.scoped(scope).filter(is_active=True)
        dealer_id = scope.single_dealer_id
        if dealer_id:
            del self.fields["dealer"]
        else:
            self.fields["dealer"].queryset = Dealer.objects.scoped(scope).filter(is_active=True).order_by("code")
            # Leads opened away from a store come in by phone, mostly (the hotline, DESIGN §9.2).
            self.fields["source"].initial = choices.LeadSource.HOTLINE
            dealer_id = _id_or_none(self.data.get(self.add_prefix("dealer")) if self.is_bound
                                    else self.initial.get("dealer"))
        # No dealer chosen yet: only the automatic choice, until choosing the dealer reloads this list.
        self.fields["assigned_to"].queryset = (sales_consultants(scope, dealer_id) if dealer_id
                                               else User.objects.none())

    def clean_name(self) -> str:
        value = self.cleaned_data.get("name", "")
        return normalize_person_name(value) if value.strip() else ""

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile", "")
        return normalize_mobile(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not self.errors.get("mobile") and not self.errors.get("name"):
            if not data.get("name"):
                self.add_error("name", _("Enter the customer's name, or choose an existing customer."))
            if not data.get("mobile"):
                self.add_error("mobile", _("Enter the mobile number, or choose an existing customer."))
        if data.get("source") == choices.LeadSource.REFERRAL and not data.get("referred_by"):
            self.add_error("referred_by", _("Say which customer referred this lead."))
        dealer = data.get("dealer")
        data["dealer_id"] = self.scope.single_dealer_id or (dealer.pk if dealer else None)
        consultant = data.get("assigned_to")
        if consultant is not None and consultant.dealer_id != data["dealer_id"]:
            self.add_error("assigned_to", _("Choose an active sales consultant of this dealer."))
        return data


class LeadMoveForm(forms.Form):
    """Move a lead to another stage; losing it needs a reason."""

    stage = forms.ChoiceField(choices=choices.LeadStage.choices)
    lost_reason = forms.ChoiceField(label=_("lost reason"), required=False,
                                    choices=[("", "—"), *choices.LostReason.choices])


class LeadFilterForm(forms.Form):
    """Filters of the lead board; across dealers, the consultant list follows the chosen dealer."""

    dealer = forms.TypedChoiceField(label=_("dealer"), coerce=int, required=False, empty_value=None)
    assigned_to = ConsultantChoiceField(label=_("sales consultant"), queryset=User.objects.none(), required=False,
                                        empty_label=_("All consultants"))
    source = forms.ChoiceField(label=_("source"), required=False,
                               choices=[("", _("All sources")), *choices.LeadSource.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, scope: Scope, dealers: list | None = None, **kwargs):
        """`dealers`: the scope's dealers to choose from (loaded by the caller); None for a one-dealer board."""
        super().__init__(*args, **kwargs)
        if dealers is None:
            del self.fields["dealer"]
            dealer_id = scope.single_dealer_id
        else:
            self.fields["dealer"].choices = [("", _("All dealers")), *((d.pk, str(d)) for d in dealers)]
            chosen = _id_or_none(self.data.get("dealer")) if self.is_bound else None
            dealer_id = chosen if chosen in {d.pk for d in dealers} else None
        self.dealer_id = dealer_id
        # Across dealers the consultant list waits for a dealer: every consultant of the network helps nobody.
        self.fields["assigned_to"].queryset = sales_consultants(scope, dealer_id) if dealer_id else User.objects.none()
        self.fields["assigned_to"].disabled = dealer_id is None

    def filters(self) -> dict:
        """The valid filters; an invalid one (another dealer's consultant, say) is left out and shown as an error."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data


class MergeForm(forms.Form):
    """Choose which of two customers survives a merge, and confirm."""

    survivor = forms.TypedChoiceField(label=_("Keep this record"), coerce=int, widget=forms.RadioSelect)
    confirm = forms.BooleanField(label=_("I checked that both records are the same person."))

    def __init__(self, *args, first: Customer, second: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(first.pk, first.name), (second.pk, second.name)]
        self.fields["survivor"].initial = first.pk


def today():
    """Today in the tenant's time zone, for date defaults."""
    return timezone.localdate()
