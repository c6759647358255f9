"""GET /api/v1/retention/metrics/ and /retention/defection/ (DESIGN §9.5): read from the snapshots' rollups."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from crm_site.scope import scope_for_request
from dealers.models import Dealer

from .. import selectors
from ..access import RETENTION_VIEW


class MetricsQuery(serializers.Serializer):
    """The query of the metrics endpoint."""

    as_of = serializers.DateField(required=False, help_text="The snapshot's date (default: the newest).")
    group_by = serializers.ChoiceField(choices=selectors.GROUPS, default="dealer")
    dealer = serializers.IntegerField(required=False, min_value=1, max_value=2**62)


class RetentionView(APIView):
    """The scope, the permission and the snapshot asked for; 404 when there is none for that date."""

    resource = "retention"
    query_class = MetricsQuery

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.scope = scope_for_request(request)
        if not RETENTION_VIEW.allows(self.scope):
            raise PermissionDenied

    def query(self, request) -> dict:
        form = self.query_class(data=request.query_params)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if data.get("dealer") is not None and not Dealer.objects.scoped(self.scope).filter(pk=data["dealer"]).exists():
            raise NotFound(_("No such dealer."))
        snapshot = selectors.snapshot_on(self.scope, data.get("as_of"))
        if snapshot is None:
            raise NotFound(_("No retention snapshot for that date."))
        data["snapshot"] = snapshot
        return data


def _figures(figures) -> dict:
    return figures.as_api()


class MetricsView(RetentionView):
    """Grasp rate, active ratio, lapsed, lost and defected per dealer, region or tenant, overall and by age band."""

    @extend_schema(
        summary="Retention metrics of a snapshot",
        parameters=[MetricsQuery],
        responses={200: inline_serializer("RetentionMetrics", {
            "as_of": serializers.DateField(), "group_by": serializers.CharField(),
            "windows": serializers.DictField(), "results": serializers.ListField(child=serializers.DictField())})},
    )
    def get(self, request):
        data = self.query(request)
        snapshot, group_by = data["snapshot"], data["group_by"]
        groups = selectors.metrics(self.scope, snapshot, group_by, dealer_id=data.get("dealer"))
        results = []
        for group in groups:
            row = {group_by: group.key}
            if group_by != "tenant":
                row |= {"code": group.code, "name": group.label}
            row |= _figures(group.total)
            row["by_age_band"] = {band: _figures(f) for band, f in group.bands.items()}
            results.append(row)
        return Response({
            "as_of": snapshot.as_of, "group_by": group_by,
            "windows": {"retained_months": snapshot.retained_months, "active_months": snapshot.active_months,
                        "lapsed_months": snapshot.lapsed_months, "lost_months": snapshot.lost_months},
            "results": results,
        })


class DefectionQuery(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="The snapshot's date (default: the newest).")
    dealer = serializers.IntegerField(required=False, min_value=1, max_value=2**62)


class DefectionView(RetentionView):
    """The dealer × dealer matrix: vehicles sold by `dealer` whose latest visit in the window was at `serviced_by`."""

    query_class = DefectionQuery

    @extend_schema(
        summary="Defection in the network (who services whose sold cars)",
        parameters=[DefectionQuery],
        responses={200: inline_serializer("RetentionDefection", {
            "as_of": serializers.DateField(), "results": serializers.ListField(child=serializers.DictField())})},
    )
    def get(self, request):
        data = self.query(request)
        cells = selectors.defection(self.scope, data["snapshot"], dealer_id=data.get("dealer"))
        return Response({"as_of": data["snapshot"].as_of, "results": [
            {"dealer": c["dealer_id"], "serviced_by": c["serviced_by_id"], "vehicles": c["vehicles"],
             "defected": c["dealer_id"] != c["serviced_by_id"]} for c in cells]})
