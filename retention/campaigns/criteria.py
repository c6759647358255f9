"""A campaign's segment: the newest snapshot's lapsed or lost vehicles, narrowed by each criterion in turn.

Each criterion is one function (rows, value) → rows over the snapshot's VehicleState rows; adding one (a k-means
cluster is one) is one more entry in CRITERIA and one more field on the form.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from crm_site.scope import Scope

from ..choices import State
from ..models import CustomerValue, Snapshot, VehicleState

SEGMENT_STATES = (State.LAPSED, State.LOST)


def _value_tiers(rows: QuerySet, tiers: list[str]) -> QuerySet:
    """Owners whose customer value (the last nightly build) is in one of the tiers."""
    values = CustomerValue.objects.filter(tier__in=tiers)
    return rows.filter(owner_id__in=values.values("customer_id"))


def _clusters(rows: QuerySet, chosen: dict) -> QuerySet:
    """Owners the chosen segmentation run put in one of the clusters ({"run": id, "numbers": [...]})."""
    from ..segments.models import CustomerCluster

    members = CustomerCluster.objects.filter(run_id=chosen.get("run"), cluster__in=chosen.get("numbers") or [])
    return rows.filter(owner_id__in=members.values("customer_id"))


CRITERIA: dict[str, Callable[[QuerySet, object], QuerySet]] = {
    "dealer": lambda rows, dealer_id: rows.filter(dealer_id=dealer_id),
    "region": lambda rows, region_id: rows.filter(dealer__region_id=region_id),
    "states": lambda rows, states: rows.filter(state__in=states),
    "age_bands": lambda rows, bands: rows.filter(age_band__in=bands),
    "series": lambda rows, series: rows.filter(vehicle__model__series__in=series),
    "tiers": _value_tiers,
    "clusters": _clusters,
}


def segment_snapshot(scope: Scope) -> Snapshot | None:
    """The newest snapshot that kept its vehicle states (the nightly build always does)."""
    return Snapshot.objects.scoped(scope).filter(has_states=True).order_by("-as_of").first()


def segment_rows(scope: Scope, snapshot: Snapshot, criteria: dict) -> QuerySet:
    """The scope's lapsed or lost vehicles of the snapshot with an owner, narrowed by every criterion given."""
    rows = VehicleState.objects.scoped(scope).filter(snapshot=snapshot, owner__isnull=False,
                                                     state__in=SEGMENT_STATES)
    for name, narrow in CRITERIA.items():
        value = criteria.get(name)
        if value not in (None, "", [], ()):
            rows = narrow(rows, value)
    return rows


def campaign_criteria(campaign) -> dict:
    """Everything a campaign's segment is narrowed by: its place (dealer, region) and its stored criteria."""
    return {**(campaign.criteria or {}), "dealer": campaign.dealer_id, "region": campaign.region_id}
