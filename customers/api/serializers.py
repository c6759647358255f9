"""Serializers of customers: the record as the caller's scope may see it, its actions, and inline customer data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm_site.api.fields import (
    NormalizedCharField,
    check_external_id_free,
    dealer_field,
    reject_change,
    resolve_dealer_id,
)
from crm_site.api.serializers import ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from crm_site.validators import (
    NOTES_MAX_LENGTH,
    mask_mobile,
    normalize_mobile,
    normalize_resident_id,
    validate_birth_date,
)
from dealers.models import User

from .. import choices
from ..models import NOTES_HELP, ConsentRecord, Customer, Lead
from ..privacy import mask_name, shown_mobile
from ..services import CUSTOMER_FIELDS

# Fields of the inline customer data a lead, sale, visit or transfer may carry (matched or created by the service).
INLINE_CUSTOMER_FIELDS = ("name", "mobile", "id_number", *[f for f in CUSTOMER_FIELDS if f != "name"], "external_id")


class CustomerSerializer(ScopedModelSerializer):
    """A customer; `mobile` is masked for HQ and regional roles, the ID number is write-only (masked on read)."""

    mobile = NormalizedCharField(normalize_mobile, required=False, allow_blank=True,
                                 help_text=_("11-digit mainland mobile; stored as +86…; masked for HQ roles."))
    id_number = NormalizedCharField(normalize_resident_id, write_only=True, required=False, allow_blank=True,
                                    help_text=_("Resident ID number; stored encrypted, never shown in full."))
    id_number_masked = serializers.CharField(read_only=True)
    dealer = dealer_field(write_only=True)
    dealers = serializers.SerializerMethodField(help_text=_("Dealers in your scope this customer is linked to."))
    external_id = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=64,
        help_text=_("Your dealer system's id for this customer (per dealer; null for multi-dealer scopes)."),
    )
    key_account_owner = ScopedPrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    do_not_call_reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200,
                                               help_text=_("Why do-not-call was set or cleared (kept in its history)."))
    consent_again = serializers.BooleanField(
        write_only=True, required=False, default=False,
        help_text=_("The person, once erased at their request, gave their consent again: their mobile may be used."))

    class Meta:
        model = Customer
        fields = [
            "id", "kind", "name", "mobile", "id_number", "id_number_masked", "gender", "birth_date", "province",
            "city", "address", "occupation", "income_band", "education", "company_name", "fleet_size", "notes",
            "do_not_call", "do_not_call_reason", "key_account_owner", "dealer", "dealers", "external_id",
            "consent_again", "erased_at", "created_at", "updated_at",
        ]
        read_only_fields = ["erased_at"]
        extra_kwargs = {"name": {"required": False}}

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_dealers(self, customer) -> list[int]:
        annotated = getattr(customer, "scope_dealer_ids", None)
        if annotated is not None:
            return sorted(annotated)
        links = customer.dealer_links.all()
        if self.scope.dealer_ids is not None:
            links = links.filter(dealer_id__in=self.scope.dealer_ids)
        return sorted(links.values_list("dealer_id", flat=True))

    def to_representation(self, customer):
        data = super().to_representation(customer)
        data["mobile"] = shown_mobile(self.scope, customer)
        data["external_id"] = getattr(customer, "scope_external_id", None) if self.scope.single_dealer_id else None
        return data

    def validate(self, attrs):
        keys = ("name", "mobile", "id_number", "external_id")
        if self.instance is None and not any(attrs.get(key) for key in keys):
            raise serializers.ValidationError({"name": [_("Enter the customer's name.")]})
        if self.instance is None or "dealer" in attrs or attrs.get("external_id"):
            attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        return attrs

    def service_data(self) -> dict:
        """The validated fields the customer services take (everything but links, owner and do-not-call)."""
        return {k: v for k, v in self.validated_data.items() if k in ("name", "mobile", "id_number", *CUSTOMER_FIELDS)}


class InlineCustomerSerializer(serializers.Serializer):
    """A customer given inline (walk-in, one-step delivery): matched by external id, mobile or ID number, else created."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    mobile = NormalizedCharField(normalize_mobile, required=False, allow_blank=True)
    id_number = NormalizedCharField(normalize_resident_id, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=choices.CustomerKind.choices, required=False)
    gender = serializers.ChoiceField(choices=choices.Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True, validators=[validate_birth_date])
    province = serializers.CharField(required=False, allow_blank=True, max_length=32)
    city = serializers.CharField(required=False, allow_blank=True, max_length=64)
    address = serializers.CharField(required=False, allow_blank=True, max_length=255)
    occupation = serializers.CharField(required=False, allow_blank=True, max_length=64)
    income_band = serializers.ChoiceField(choices=choices.IncomeBand.choices, required=False, allow_blank=True)
    education = serializers.ChoiceField(choices=choices.Education.choices, required=False, allow_blank=True)
    company_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    fleet_size = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2_000_000_000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=NOTES_MAX_LENGTH, help_text=NOTES_HELP)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate(self, attrs):
        if not (attrs.get("name") or attrs.get("mobile") or attrs.get("id_number") or attrs.get("external_id")):
            raise serializers.ValidationError({"name": [_("Give at least the customer's name or mobile number.")]})
        return attrs


class CustomerLookupSerializer(serializers.Serializer):
    """The masked answer to a walk-in look-up: enough to recognise the person, not to copy their data."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text=_("Masked: first character only."))
    mobile = serializers.CharField(help_text=_("Masked: 138****5678."))
    linked = serializers.BooleanField(help_text=_("Whether your scope already sees this customer."))

    @staticmethod
    def answer(customer: Customer, linked: bool) -> dict:
        return {"id": customer.pk, "name": mask_name(customer.name), "mobile": mask_mobile(customer.mobile)
                if customer.mobile else "", "linked": linked}


class RevealRequestSerializer(serializers.Serializer):
    """Which personal number to show in full."""

    field = serializers.ChoiceField(choices=[("mobile", _("Mobile")), ("id_number", _("ID number"))])


class RevealResponseSerializer(serializers.Serializer):
    """The number in full; the reveal is in the audit log."""

    field = serializers.CharField()
    value = serializers.CharField()


class MergeRequestSerializer(serializers.Serializer):
    """The duplicate to fold into this customer."""

    duplicate = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())


class MergeResponseSerializer(serializers.Serializer):
    """What a merge moved onto the surviving customer."""

    survivor = serializers.IntegerField()
    merged = serializers.IntegerField()
    moved = serializers.DictField(child=serializers.IntegerField())


class ConsentSerializer(serializers.ModelSerializer):
    """A consent given or withdrawn for one channel and purpose; the newest per pair is in force."""

    source = serializers.ChoiceField(choices=choices.RecordSource.choices, default=choices.RecordSource.DMS)

    class Meta:
        model = ConsentRecord
        fields = ["id", "channel", "purpose", "granted", "source", "text_version", "recorded_by", "created_at"]
        read_only_fields = ["recorded_by", "created_at"]


class TimelineEventSerializer(serializers.Serializer):
    """One dated event of the customer's history."""

    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text=_("sale, service_visit, related_purchase, lead, ownership, …"))
    title = serializers.CharField()
    dealer = serializers.IntegerField(source="dealer_id", allow_null=True)
    dealer_name = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.IntegerField(allow_null=True)
    detail = serializers.DictField()



class LeadSerializer(ScopedModelSerializer):
    """A lead; create it for a known `customer` or with inline `customer_data` (matched by mobile or created)."""

    dealer = dealer_field()
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    customer_data = InlineCustomerSerializer(write_only=True, required=False)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_mobile = serializers.SerializerMethodField(help_text=_("Masked for HQ and regional roles."))
    assigned_to = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True,
        help_text=_("Sales consultant; when left out, the one with the fewest open leads."),
    )

    class Meta:
        model = Lead
        # External ids are matched (upsert) or checked by the services and validate(), not by DRF's validator.
        validators: list = []
        fields = [
            "id", "dealer", "customer", "customer_data", "customer_name", "customer_mobile", "source", "referred_by",
            "interested_model", "stage", "assigned_to", "next_action_on", "lost_reason", "first_contacted_at",
            "stage_changed_at", "external_id", "notes", "created_at", "updated_at",
        ]
        read_only_fields = ["stage", "lost_reason", "first_contacted_at", "stage_changed_at"]

    def get_customer_mobile(self, lead) -> str:
        return shown_mobile(self.scope, lead.customer)

    def validate(self, attrs):
        instance = self.instance
        reject_change(instance, attrs, "dealer", _("A lead stays with its dealer."))
        reject_change(instance, attrs, "customer", _("A lead stays with its customer; open a new lead instead."))
        if instance is None:
            if attrs.get("customer") is None and not attrs.get("customer_data"):
                raise serializers.ValidationError({"customer": [_("Give the customer or the customer's data.")]})
            attrs["dealer_id"] = resolve_dealer_id(self, attrs)
        if "source" not in attrs and instance is None:
            raise serializers.ValidationError({"source": [_("This field is required.")]})
        dealer_id = attrs.get("dealer_id") or instance.dealer_id
        check_external_id_free(Lead, dealer_id, attrs.get("external_id"), instance)
        return attrs


class LeadMoveSerializer(serializers.Serializer):
    """A move of a lead to another stage of the funnel."""

    stage = serializers.ChoiceField(choices=choices.LeadStage.choices,
                                    help_text=_("Not won: a lead is won by recording its sale."))
    lost_reason = serializers.ChoiceField(choices=choices.LostReason.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class LeadAssignSerializer(serializers.Serializer):
    """The sales consultant who takes the lead over."""

    user = ScopedPrimaryKeyRelatedField(queryset=User.objects.all())

