"""API views of customers (with timeline, reveal, walk-in look-up, consents, merge) and leads (move, assign)."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from crm_site.api.bulk import BulkUpsertMixin, UpsertCreateMixin, bulk_schema
from crm_site.api.viewsets import ScopedModelViewSet
from crm_site.models import audit
from crm_site.scope import Scope
from crm_site.timeline import customer_timeline
from crm_site.validators import normalize_mobile

from .. import choices
from ..access import (
    CONSENT_RECORD,
    CUSTOMER_DELETE,
    CUSTOMER_EDIT,
    CUSTOMER_MERGE,
    DATA_SUBJECT_RIGHTS,
    LEAD_ASSIGN,
    LEAD_EDIT,
    NUMBER_REVEAL,
)
from ..data_subject import customer_erase, customer_export
from ..filtersets import CustomerFilterSet, LeadFilterSet
from ..leads import lead_assign, lead_create, lead_move
from ..models import Customer, CustomerDealer, Lead
from ..selectors import customer_lookup
from ..services import (
    consent_current,
    consent_record,
    customer_merge,
    customer_reveal,
    customer_set_do_not_call,
    customer_update,
    customer_upsert,
)
from .serializers import (
    ConsentSerializer,
    CustomerLookupSerializer,
    CustomerSerializer,
    LeadAssignSerializer,
    LeadMoveSerializer,
    LeadSerializer,
    MergeRequestSerializer,
    MergeResponseSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
    TimelineEventSerializer,
)

NO_LIST = {"filter_backends": [], "pagination_class": None}


class EraseSerializer(serializers.Serializer):
    """An erasure: the request it answers, and the customer's name typed again."""

    reason = serializers.CharField(max_length=255, help_text=_("The person's request: date, channel, reference."))
    confirm_name = serializers.CharField(max_length=100, help_text=_("The customer's name, to confirm."))


def rekey(exc: DjangoValidationError, old: str, new: str) -> DjangoValidationError:
    """The same errors with a service's field name replaced by the name the API request used."""
    if not hasattr(exc, "error_dict"):
        return exc
    return DjangoValidationError({new if name == old else name: errors for name, errors in exc.error_dict.items()})


def audited_list(view, response, action_name: str, key: str):
    """A list page is a bulk read of personal data (DESIGN §7): record who read which customers."""
    ids = [row[key] for row in response.data.get("results", [])]
    if ids:
        audit(view.scope, action_name, None, ids=ids)
    return response


def with_scope_links(queryset, scope: Scope):
    """Annotate, inside the page query, the linked dealers in scope and the caller's dealer's external id."""
    links = CustomerDealer.objects.filter(customer_id=OuterRef("pk"))
    if scope.dealer_ids is not None:
        links = links.filter(dealer_id__in=scope.dealer_ids)
    queryset = queryset.annotate(scope_dealer_ids=ArraySubquery(links.order_by("dealer_id").values("dealer_id")))
    if scope.single_dealer_id:
        own = CustomerDealer.objects.filter(customer_id=OuterRef("pk"), dealer_id=scope.single_dealer_id)
        queryset = queryset.annotate(scope_external_id=Subquery(own.values("external_id")[:1]))
    return queryset


@extend_schema_view(
    create=extend_schema(
        summary="Create a customer, or update the one with this mobile, ID number or external id",
        description="Customers are matched across the network: posting a known mobile number updates that customer "
                    "and answers 200 with its id; a new customer answers 201. Either way it is linked to the dealer.",
        responses={201: CustomerSerializer, 200: CustomerSerializer},
    ),
    bulk=bulk_schema(CustomerSerializer, "customers"),
)
class CustomerViewSet(BulkUpsertMixin, ScopedModelViewSet):
    """Customers (统一客户视图) linked to the dealers in your scope; lists are an audited read of personal data."""

    resource = "customers"
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    write_permission = CUSTOMER_EDIT
    # Seeing a number in full is a read, logged by the service; consent is taken on the phone too.
    action_permissions = {"destroy": CUSTOMER_DELETE, "reveal": NUMBER_REVEAL, "merge": CUSTOMER_MERGE,
                          "consents": CONSENT_RECORD, "erase": DATA_SUBJECT_RIGHTS,
                          "data_export": DATA_SUBJECT_RIGHTS}

    def get_queryset(self):
        return with_scope_links(super().get_queryset(), self.scope)

    def list(self, request, *args, **kwargs):
        return audited_list(self, super().list(request, *args, **kwargs), "customer.list", "id")

    def perform_upsert(self, serializer):
        data = serializer.validated_data
        link_kind = choices.LinkKind.DMS if self.scope.is_api_client else choices.LinkKind.ASSIGNED
        customer, created = customer_upsert(scope=self.scope, dealer_id=data["dealer_id"],
                                            data=serializer.service_data(), link_kind=link_kind,
                                            external_id=data.get("external_id") or "",
                                            consent_again=bool(data.get("consent_again")))
        self.apply_flags(customer, data)
        audit(self.scope, "customer.create" if created else "customer.update", customer, fields=sorted(data))
        return customer, created

    def bulk_upsert(self, items: list) -> list[dict]:
        """Each item checked by the serializer, then written set-based per dealer (customers.bulk), same answers.

        Items that set the key-account owner or do-not-call keep the per-item path (their own services and history),
        as does a dealer's group that meets a concurrent insert of the same person.
        """
        from django.db import IntegrityError

        from crm_site.api.bulk import CREATED, ITEM_ERRORS, UPDATED, error_result, item_errors
        from crm_site.models import AuditEvent

        from ..bulk import customers_bulk_upsert

        results: list[dict | None] = [None] * len(items)
        groups: dict[int, list[tuple[int, dict, dict, list]]] = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict) or {"key_account_owner", "do_not_call"} & item.keys():
                results[index] = self.bulk_upsert_one(index, item)
                continue
            serializer = self.get_serializer(data=item)
            try:
                serializer.is_valid(raise_exception=True)
            except ITEM_ERRORS as exc:
                results[index] = error_result(index, item_errors(exc))
                continue
            data = serializer.validated_data
            groups.setdefault(data["dealer_id"], []).append(
                (index, item, {**serializer.service_data(), "external_id": data.get("external_id") or ""}, sorted(data)))
        link_kind = choices.LinkKind.DMS if self.scope.is_api_client else choices.LinkKind.ASSIGNED
        events = []
        for dealer_id, entries in groups.items():
            try:
                written = customers_bulk_upsert(scope=self.scope, dealer_id=dealer_id, link_kind=link_kind,
                                                items=[entry[2] for entry in entries])
            except IntegrityError:
                for index, item, _service_item, _fields in entries:
                    results[index] = self.bulk_upsert_one(index, item)
                continue
            for (index, _item, _service_item, fields), result in zip(entries, written, strict=True):
                if result.error is not None:
                    results[index] = error_result(index, item_errors(result.error))
                    continue
                results[index] = {"index": index, "status": CREATED if result.created else UPDATED,
                                  "id": result.customer_id}
                # The same audit rows as the per-item path, written in one insert.
                events.append(AuditEvent(
                    tenant_id=self.scope.tenant_id, actor_user_id=self.scope.user_id,
                    actor_api_client_id=self.scope.api_client_id, object_type=Customer._meta.label_lower,
                    action="customer.create" if result.created else "customer.update",
                    object_id=str(result.customer_id), detail={"fields": fields}))
        AuditEvent.objects.bulk_create(events)
        return results

    def perform_update(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            customer = customer_update(scope=self.scope, customer=serializer.instance, data=serializer.service_data(),
                                       dealer_id=data.get("dealer_id"), external_id=data.get("external_id") or "")
            self.apply_flags(customer, data)
            self.ensure_in_scope(customer)
        serializer.instance = self.refetch(customer)

    def perform_destroy(self, instance):
        with transaction.atomic():
            audit(self.scope, "customer.delete", instance)
            super().perform_destroy(instance)

    def apply_flags(self, customer: Customer, data: dict) -> None:
        """Key-account owner, and do-not-call through its service so the change keeps its history."""
        if "key_account_owner" in data and customer.key_account_owner != data["key_account_owner"]:
            customer.key_account_owner = data["key_account_owner"]
            customer.save(update_fields=["key_account_owner", "updated_at"])
        if "do_not_call" in data:
            customer_set_do_not_call(scope=self.scope, customer=customer, do_not_call=data["do_not_call"],
                                     reason=data.get("do_not_call_reason", ""))

    @extend_schema(summary="Everything the tenant holds about the customer (PIPL export; recorded)",
                   responses={200: OpenApiResponse(description="The customer's rows, by app and table.")})
    @action(detail=True, methods=["get"], url_path="data-export", **NO_LIST)
    def data_export(self, request, pk=None):
        customer = self.get_object()
        if not DATA_SUBJECT_RIGHTS.allows(self.scope):
            raise PermissionDenied
        return Response(customer_export(scope=self.scope, customer=customer))

    @extend_schema(summary="Erase the person (anonymised; the aggregates stay; recorded)", request=EraseSerializer,
                   responses=CustomerSerializer)
    @action(detail=True, methods=["post"], **NO_LIST)
    def erase(self, request, pk=None):
        customer = self.get_object()
        if not self.may_write(self.scope):
            raise PermissionDenied
        body = EraseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["confirm_name"] != customer.name:
            raise serializers.ValidationError({"confirm_name": [_("This is not the customer's name.")]})
        try:
            customer_erase(scope=self.scope, customer=customer, reason=body.validated_data["reason"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        customer.refresh_from_db()
        return Response(CustomerSerializer(customer, context=self.get_serializer_context()).data)

    @extend_schema(summary="The customer's history across the network, newest first",
                   responses=TimelineEventSerializer(many=True))
    @action(detail=True, methods=["get"], **NO_LIST)
    def timeline(self, request, pk=None):
        events = customer_timeline(self.scope, self.get_object())
        return Response(TimelineEventSerializer(events, many=True).data)

    @extend_schema(summary="Show the mobile or ID number in full (logged)", request=RevealRequestSerializer,
                   responses=RevealResponseSerializer)
    @action(detail=True, methods=["post"], **NO_LIST)
    def reveal(self, request, pk=None):
        customer = self.get_object()
        form = RevealRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        field = form.validated_data["field"]
        with transaction.atomic():
            value = customer_reveal(scope=self.scope, customer=customer, field=field)
        return Response({"field": field, "value": value})

    @extend_schema(
        summary="Find any customer of the network by exact mobile, to serve a walk-in",
        description="Answers a masked name and mobile and the id; it does not link the customer to your dealer "
                    "(recording a sale, visit or lead for them does). 404 when nobody has this number.",
        parameters=[OpenApiParameter("mobile", str, required=True, description="Mobile number, any usual spelling")],
        responses={200: CustomerLookupSerializer, 404: OpenApiResponse(description="No customer with this number.")},
    )
    @action(detail=False, methods=["get"], **NO_LIST)
    def lookup(self, request):
        try:
            mobile = normalize_mobile(request.query_params.get("mobile", ""))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"mobile": exc.messages}) from exc
        found = customer_lookup(self.scope, mobile, limit=1)
        if not found:
            raise NotFound(_("No customer has this mobile number."))
        audit(self.scope, "customer.lookup", found[0].customer)
        return Response(CustomerLookupSerializer.answer(found[0].customer, found[0].in_scope))

    @extend_schema(methods=["GET"], summary="Consents in force (or all, with history=true)",
                   parameters=[OpenApiParameter("history", bool, description="Every record, newest first")],
                   responses=ConsentSerializer(many=True))
    @extend_schema(methods=["POST"], summary="Record a consent given or withdrawn", request=ConsentSerializer,
                   responses={201: ConsentSerializer})
    @action(detail=True, methods=["get", "post"], **NO_LIST)
    def consents(self, request, pk=None):
        customer = self.get_object()
        if request.method == "GET":
            if request.query_params.get("history") in {"true", "1"}:
                records = list(customer.consents.order_by("-created_at", "-id"))
            else:
                records = sorted(consent_current(customer).values(), key=lambda r: (r.channel, r.purpose))
            return Response(ConsentSerializer(records, many=True).data)
        form = ConsentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            record = consent_record(scope=self.scope, customer=customer, **form.validated_data)
        return Response(ConsentSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Merge a duplicate into this customer", request=MergeRequestSerializer,
                   responses=MergeResponseSerializer)
    @action(detail=True, methods=["post"], **NO_LIST)
    def merge(self, request, pk=None):
        survivor = self.get_object()
        form = MergeRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        try:
            record = customer_merge(scope=self.scope, survivor=survivor, merged=form.validated_data["duplicate"])
        except DjangoValidationError as exc:
            raise rekey(exc, "merged", "duplicate") from exc
        return Response({"survivor": survivor.pk, "merged": record.merged_id, "moved": record.moved})


@extend_schema_view(
    create=extend_schema(summary="Open a lead; without assigned_to it goes to the least-loaded consultant"),
)
class LeadViewSet(UpsertCreateMixin, ScopedModelViewSet):
    """Leads (潜在客户) of the dealers in your scope; stage changes go through move, reassignment through assign."""

    resource = "leads"
    queryset = Lead.objects.select_related("customer")
    serializer_class = LeadSerializer
    filterset_class = LeadFilterSet
    write_permission = LEAD_EDIT
    action_permissions = {"assign": LEAD_ASSIGN}

    def list(self, request, *args, **kwargs):
        # Each row shows the customer's name and mobile.
        return audited_list(self, super().list(request, *args, **kwargs), "lead.list", "customer")

    def perform_upsert(self, serializer):
        data = serializer.validated_data
        lead = lead_create(
            scope=self.scope, dealer_id=data["dealer_id"], source=data["source"], customer=data.get("customer"),
            customer_data=data.get("customer_data"), referred_by=data.get("referred_by"),
            interested_model=data.get("interested_model"), assigned_to=data.get("assigned_to"),
            next_action_on=data.get("next_action_on"), external_id=data.get("external_id", ""),
            notes=data.get("notes", ""),
        )
        return lead, True

    def perform_update(self, serializer):
        data = serializer.validated_data
        lead = serializer.instance
        with transaction.atomic():
            if "assigned_to" in data:
                user = data.pop("assigned_to")
                if user != lead.assigned_to:
                    self.reassign(lead, user)
            for name in ("customer_data", "dealer_id"):
                data.pop(name, None)
            lead = serializer.save()
            self.ensure_in_scope(lead)

    def reassign(self, lead: Lead, user) -> Lead:
        """Hand the lead to another consultant through the service (managers only)."""
        if not LEAD_ASSIGN.allows(self.scope):
            raise PermissionDenied(_("Only a dealer manager reassigns leads."))
        if user is None:
            raise serializers.ValidationError({"assigned_to": [_("Choose a sales consultant.")]})
        return lead_assign(scope=self.scope, lead=lead, user=user)

    @extend_schema(summary="Move the lead to another stage", request=LeadMoveSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], **NO_LIST)
    def move(self, request, pk=None):
        lead = self.get_object()
        form = LeadMoveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with transaction.atomic():
            lead = lead_move(scope=self.scope, lead=lead, **form.validated_data)
        return Response(self.get_serializer(lead).data)

    @extend_schema(summary="Give the lead to another sales consultant", request=LeadAssignSerializer,
                   responses=LeadSerializer)
    @action(detail=True, methods=["post"], **NO_LIST)
    def assign(self, request, pk=None):
        lead = self.get_object()
        form = LeadAssignSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                lead = self.reassign(lead, form.validated_data["user"])
        except DjangoValidationError as exc:
            raise rekey(exc, "assigned_to", "user") from exc
        return Response(self.get_serializer(lead).data)
