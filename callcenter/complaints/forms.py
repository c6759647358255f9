"""Browser forms of complaints: open one (customer picked by mobile, VIN or plate), the steps, an attachment."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm_site.scope import Scope
from customers.forms import CustomerPickMixin
from customers.models import Customer
from dealers.models import Dealer

from ..models import ATTACHMENT_MAX_BYTES, ComplaintCategory, ComplaintChannel, Severity


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else obj.name


class ComplaintForm(CustomerPickMixin, forms.Form):
    """Open a complaint: the customer, the responsible dealer (from the scope), what happened and how bad it is."""

    pick_fields = ("customer",)

    customer = forms.ModelChoiceField(label=_("customer"), queryset=Customer.objects.none(),
                                      error_messages={"required": _("Pick the customer (type a mobile, VIN or "
                                                                    "plate).")})
    dealer = forms.ModelChoiceField(label=_("responsible dealer"), queryset=Dealer.objects.none())
    channel = forms.ChoiceField(label=_("channel"), choices=ComplaintChannel.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.NORMAL,
                                 help_text=_("Critical: safety or a vehicle off the road; resolution within 24 h."))
    category = CategoryChoiceField(label=_("category"), queryset=ComplaintCategory.objects.none(), required=False)
    vehicle = forms.CharField(label=_("vehicle (VIN or plate)"), max_length=32, required=False)
    description = forms.CharField(label=_("what happened"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    attachment = forms.FileField(label=_("photo or document"), required=False,
                                 help_text=_("JPEG, PNG, WebP or PDF, at most 5 MB."))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["customer"].queryset = Customer.objects.scoped(scope)
        dealers = Dealer.objects.scoped(scope).filter(is_active=True)
        self.fields["dealer"].queryset = dealers
        if scope.single_dealer_id:
            self.fields["dealer"].initial = scope.single_dealer_id
            self.fields["dealer"].widget = forms.HiddenInput()
            self.fields["channel"].initial = ComplaintChannel.DEALER
        else:
            self.fields["channel"].initial = ComplaintChannel.HOTLINE
        self.fields["category"].queryset = ComplaintCategory.objects.scoped(scope).filter(is_active=True) \
            .select_related("parent").order_by("parent__order", "order", "code")
        self.vehicle_found = None

    def clean_vehicle(self):
        from vehicles.forms import vehicle_key
        from vehicles.services import vehicle_find

        text = self.cleaned_data.get("vehicle", "").strip()
        if not text:
            return ""
        vin, plate = vehicle_key(text)
        self.vehicle_found = vehicle_find(tenant_id=self.scope.tenant_id, vin=vin, plate=plate)
        if self.vehicle_found is None:
            raise ValidationError(_("No vehicle with this VIN or plate in the network."))
        return text

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > ATTACHMENT_MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class NoteForm(forms.Form):
    text = forms.CharField(label=_("text"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("photo or document"), help_text=_("JPEG, PNG, WebP or PDF, at most 5 MB."))
