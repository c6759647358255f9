"""Upserting writes: POST answers 201 or 200, and POST /<resource>/bulk/ upserts a batch with one result per item.

A batch is `{"items": [...]}` with at most MAX_BULK_ITEMS items. Every item is validated by the resource's own
serializer and written on its own savepoint, so a bad item is reported (index + field errors) and never rolls
back the good ones. Status "created" means a new record; "updated" means the item matched an existing record
(by the dealer's external id, or by the natural key the service matches on: mobile, ID number, VIN) and that
record now holds the values sent, so repeating a batch creates nothing twice.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import history
from .errors import PayloadTooLarge

MAX_BULK_ITEMS = 1000

CREATED, UPDATED, ERROR = "created", "updated", "error"

# What a bad item can raise while it is validated and written; anything else is a bug and fails the request.
ITEM_ERRORS = (exceptions.ValidationError, DjangoValidationError, IntegrityError, DataError)


class BulkResultSerializer(serializers.Serializer):
    """The outcome of one item of a batch."""

    index = serializers.IntegerField(help_text=gettext_lazy("Position of the item in the batch, from 0."))
    status = serializers.ChoiceField(choices=[CREATED, UPDATED, ERROR])
    id = serializers.IntegerField(required=False, help_text=gettext_lazy("The record written (not for errors)."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text=gettext_lazy("Field name → messages (only for errors)."),
    )


class BulkResponseSerializer(serializers.Serializer):
    """Counts per status and one result per item, in the order of the items."""

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    failed = serializers.IntegerField()
    results = BulkResultSerializer(many=True)


def bulk_schema(item_serializer: type[serializers.Serializer], name: str):
    """The OpenAPI description of a resource's bulk action (used with extend_schema_view)."""
    return extend_schema(
        summary=f"Upsert up to {MAX_BULK_ITEMS} {name} in one call",
        description=(
            "One result per item, in order. Good items are kept and bad ones reported with their field errors; "
            "each item is written on its own. Items are matched by the dealer's `external_id` (and the resource's "
            "natural key), so sending a batch twice creates nothing twice. More than "
            f"{MAX_BULK_ITEMS} items answer 413."
        ),
        request=inline_serializer(f"{item_serializer.__name__.removesuffix('Serializer')}BulkRequest",
                                  {"items": item_serializer(many=True)}),
        responses={200: BulkResponseSerializer, 413: OpenApiResponse(description="More items than allowed.")},
    )


def bulk_items(data) -> list:
    """The items of a batch body, or a 400 (not a list) / 413 (too many)."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise exceptions.ValidationError({"items": [_("Send the records as a list in \"items\".")]})
    if len(items) > MAX_BULK_ITEMS:
        raise PayloadTooLarge(_("At most %(max)d items per batch; this one has %(count)d.")
                              % {"max": MAX_BULK_ITEMS, "count": len(items)})
    return items


def item_errors(exc: Exception) -> dict:
    """Field → messages for any error an item can cause."""
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return detail if isinstance(detail, dict) else {"non_field_errors": list(detail)}
    if isinstance(exc, DjangoValidationError):
        return serializers.as_serializer_error(exc)
    if isinstance(exc, IntegrityError):
        return {"non_field_errors": [_("The change conflicts with existing data.")]}
    return {"non_field_errors": [_("A value is out of range or malformed.")]}


def error_result(index: int, errors: dict) -> dict:
    """The result of an item that was not written."""
    return {"index": index, "status": ERROR, "errors": errors}


def bulk_response(results: list[dict]) -> Response:
    """The answer to a batch: counts and the per-item results (always 200; look at each status)."""
    counts = {CREATED: 0, UPDATED: 0, ERROR: 0}
    for result in results:
        counts[result["status"]] += 1
    return Response({"created": counts[CREATED], "updated": counts[UPDATED], "failed": counts[ERROR],
                     "results": results})


class UpsertCreateMixin:
    """POST writes through the resource's service: 201 for a new record, 200 when it matched an existing one."""

    def perform_upsert(self, serializer) -> tuple[object, bool]:
        """Write the validated data through the service; return the record and whether it is new."""
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance, created = self.perform_upsert(serializer)
            self.ensure_in_scope(instance)
        answer = self.get_serializer(self.refetch(instance))
        return Response(answer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def refetch(self, instance):
        """The written record read back through the list's queryset, so computed fields match a GET."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance


class BulkUpsertMixin(UpsertCreateMixin):
    """Adds POST /<resource>/bulk/: each item validated by the resource serializer and upserted on its own savepoint."""

    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request, *args, **kwargs):
        items = bulk_items(request.data)
        with transaction.atomic(), history.channel(channel=history.BULK):
            results = self.bulk_upsert(items)
        return bulk_response(results)

    def bulk_upsert(self, items: list) -> list[dict]:
        """Results of the items in order; resources override this for a set-based path."""
        return [self.bulk_upsert_one(index, item) for index, item in enumerate(items)]

    def bulk_upsert_one(self, index: int, item) -> dict:
        """Validate and write one item on its own savepoint."""
        if not isinstance(item, dict):
            return error_result(index, {"non_field_errors": [_("Each item must be an object.")]})
        try:
            with transaction.atomic():
                serializer = self.get_serializer(data=item)
                serializer.is_valid(raise_exception=True)
                instance, created = self.perform_upsert(serializer)
                self.ensure_in_scope(instance)
        except ITEM_ERRORS as exc:
            return error_result(index, item_errors(exc))
        return {"index": index, "status": CREATED if created else UPDATED, "id": instance.pk}
