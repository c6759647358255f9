"""Reads of the retention figures: from the snapshots' rollups only, a constant number of queries per page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from crm_site.scope import Scope
from dealers.models import Dealer, Region

from .choices import AGE_BAND_KEYS, State
from .models import Activity, DefectionCell, RetentionSettings, Rollup, Snapshot, VehicleState
from .snapshot import months_before

COUNTS = ("owned_base", "retained", "active", "new", "lapsed", "lost", "defected")
GROUPS = ("dealer", "region", "tenant")


def rate(part, whole) -> float | None:
    """part ÷ whole, or None (a dash) when the base is empty."""
    return part / whole if whole else None


@dataclass
class Figures:
    """Counts of an owned base and the rates derived from them (§4)."""

    owned_base: int = 0
    retained: int = 0
    active: int = 0
    new: int = 0
    lapsed: int = 0
    lost: int = 0
    defected: int = 0
    small: bool = False

    def add(self, row: dict) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    @property
    def grasp_rate(self) -> float | None:
        return rate(self.retained, self.owned_base)

    @property
    def active_ratio(self) -> float | None:
        return rate(self.active, self.owned_base)

    @property
    def lapsed_rate(self) -> float | None:
        return rate(self.lapsed, self.owned_base)

    @property
    def lost_rate(self) -> float | None:
        return rate(self.lost, self.owned_base)

    @property
    def defection_rate(self) -> float | None:
        return rate(self.defected, self.owned_base)

    def as_api(self) -> dict:
        return {"owned_base": self.owned_base, "retained": self.retained, "grasp_rate": self.grasp_rate,
                "active": self.active, "active_ratio": self.active_ratio, "lapsed": self.lapsed, "lost": self.lost,
                "defected_in_network": self.defected, "small_base": self.small}


@dataclass
class Group:
    """One dealer, region or tenant: overall figures and per age band."""

    key: int | None
    total: Figures = field(default_factory=Figures)
    bands: dict[str, Figures] = field(default_factory=lambda: {key: Figures() for key in AGE_BAND_KEYS})
    label: str = ""
    code: str = ""

    def mark_small(self, threshold: int) -> None:
        for figures in (self.total, *self.bands.values()):
            figures.small = figures.owned_base < threshold


def settings_of(scope: Scope) -> RetentionSettings:
    return RetentionSettings.for_tenant(scope.tenant_id)


def snapshots(scope: Scope) -> list[Snapshot]:
    """Every snapshot of the tenant, newest first (a few hundred rows at most: one a day, rollups only)."""
    return list(Snapshot.objects.scoped(scope).only("pk", "as_of", "has_states", "retained_months", "active_months",
                                                    "lapsed_months", "lost_months", "vehicles", "created_at"))


def snapshot_on(scope: Scope, as_of: dt.date | None, known: list[Snapshot] | None = None) -> Snapshot | None:
    """The snapshot of that date (None: the newest), or None."""
    known = snapshots(scope) if known is None else known
    if as_of is None:
        return known[0] if known else None
    return next((s for s in known if s.as_of == as_of), None)


def latest_on_or_before(known: list[Snapshot], day: dt.date, after: dt.date | None = None) -> Snapshot | None:
    """The newest snapshot on or before `day` (and after `after`)."""
    return next((s for s in known if s.as_of <= day and (after is None or s.as_of > after)), None)


def comparisons(known: list[Snapshot], current: Snapshot) -> dict[str, Snapshot | None]:
    """The snapshots a figure is compared with: the end of last month, and a year before."""
    last_month_end = current.as_of.replace(day=1) - dt.timedelta(days=1)
    year_ago = months_before(current.as_of, 12)
    return {"month": latest_on_or_before(known, last_month_end, after=months_before(last_month_end, 1)),
            "year": latest_on_or_before(known, year_ago, after=months_before(year_ago, 1))}


def rollup_groups(scope: Scope, snapshot_ids: list[int], group_by: str, *, dealer_id: int | None = None,
                  region_id: int | None = None) -> dict[tuple[int, int | None], Group]:
    """(snapshot id, dealer/region/tenant id) → Group, from one grouped query over the rollups."""
    key = {"dealer": "dealer_id", "region": "region_id", "tenant": "tenant_id"}[group_by]
    rows = Rollup.objects.scoped(scope).filter(snapshot_id__in=snapshot_ids)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    if region_id is not None:
        rows = rows.filter(region_id=region_id)
    rows = rows.values("snapshot_id", key, "age_band").annotate(**{n: Sum(n) for n in COUNTS}).order_by()
    groups: dict[tuple[int, int | None], Group] = {}
    for row in rows:
        group = groups.setdefault((row["snapshot_id"], row[key]), Group(key=row[key]))
        group.total.add(row)
        group.bands[AGE_BAND_KEYS[row["age_band"]]].add(row)
    return groups


def labelled(scope: Scope, groups: list[Group], group_by: str) -> list[Group]:
    """Names and codes of the dealers or regions (one query), sorted by code."""
    if group_by == "tenant":
        return groups
    model = Dealer if group_by == "dealer" else Region
    names = {pk: (code, name) for pk, code, name in
             model.objects.scoped(scope).filter(pk__in=[g.key for g in groups]).values_list("pk", "code", "name")}
    for group in groups:
        group.code, group.label = names.get(group.key, ("", "—"))
    return sorted(groups, key=lambda g: g.code)


def metrics(scope: Scope, snapshot: Snapshot, group_by: str, *, dealer_id: int | None = None,
            region_id: int | None = None) -> list[Group]:
    """The figures of one snapshot per dealer, region or the tenant, overall and by age band (two queries)."""
    groups = [g for (_sid, _key), g in rollup_groups(scope, [snapshot.pk], group_by, dealer_id=dealer_id,
                                                     region_id=region_id).items()]
    threshold = settings_of(scope).small_base
    for group in groups:
        group.mark_small(threshold)
    return labelled(scope, groups, group_by)


@dataclass
class ActivityFigures:
    deliveries: int = 0
    visits: int = 0
    amount: float = 0


def activity(scope: Scope, snapshot_ids: list[int], group_by: str = "tenant", *, dealer_id: int | None = None,
             region_id: int | None = None) -> dict[tuple[int, int | None], ActivityFigures]:
    """(snapshot id, key) → the month's deliveries, visits and amount, in one query."""
    key = {"dealer": "dealer_id", "region": "region_id", "tenant": "tenant_id"}[group_by]
    rows = Activity.objects.scoped(scope).filter(snapshot_id__in=snapshot_ids)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    if region_id is not None:
        rows = rows.filter(region_id=region_id)
    rows = rows.values("snapshot_id", key).annotate(d=Sum("deliveries"), v=Sum("visits"), a=Sum("amount")).order_by()
    return {(r["snapshot_id"], r[key]): ActivityFigures(r["d"] or 0, r["v"] or 0, float(r["a"] or 0)) for r in rows}


@dataclass
class Matrix:
    """Who services whose sold cars: sellers (rows) × workshops (columns), the largest first."""

    sellers: list[Dealer]
    workshops: list[Dealer]
    cells: dict[tuple[int, int], int]
    outflow: dict[int, int]
    total_cells: int


def defection(scope: Scope, snapshot: Snapshot, *, dealer_id: int | None = None) -> list[dict]:
    """Every cell of the matrix the scope may see (the API's answer), in one query."""
    rows = DefectionCell.objects.scoped(scope).filter(snapshot=snapshot)
    if dealer_id is not None:
        rows = rows.filter(Q(dealer_id=dealer_id) | Q(serviced_by_id=dealer_id))
    return list(rows.values("dealer_id", "serviced_by_id", "vehicles").order_by("dealer_id", "serviced_by_id"))


def defection_matrix(scope: Scope, snapshot: Snapshot, *, top: int = 12, region_id: int | None = None) -> Matrix:
    """The heat map's cells among the dealers losing most cars to others (two queries: cells, dealer names)."""
    rows = DefectionCell.objects.scoped(scope).filter(snapshot=snapshot)
    if region_id is not None:
        rows = rows.filter(dealer__region_id=region_id)
    cells = {(r["dealer_id"], r["serviced_by_id"]): r["vehicles"]
             for r in rows.values("dealer_id", "serviced_by_id", "vehicles")}
    outflow: dict[int, int] = {}
    inflow: dict[int, int] = {}
    for (seller, workshop), n in cells.items():
        if seller != workshop:
            outflow[seller] = outflow.get(seller, 0) + n
            inflow[workshop] = inflow.get(workshop, 0) + n
    sellers = sorted(outflow, key=lambda d: -outflow[d])[:top]
    workshops = sorted(inflow, key=lambda d: -inflow[d])[:top]
    names = Dealer.objects.filter(tenant_id=scope.tenant_id, pk__in=set(sellers) | set(workshops)).in_bulk()
    return Matrix(sellers=[names[d] for d in sellers if d in names], workshops=[names[d] for d in workshops if d in names],
                  cells=cells, outflow=outflow, total_cells=len(cells))


def vehicle_states(scope: Scope, snapshot: Snapshot, *, dealer_id: int | None = None, state: str | None = None,
                   band: int | None = None, defected: bool | None = None, region_id: int | None = None):
    """The vehicles behind a figure: the scope's rows of one snapshot, with what the list shows of each."""
    rows = VehicleState.objects.scoped(scope).filter(snapshot=snapshot)
    if dealer_id is not None:
        rows = rows.filter(dealer_id=dealer_id)
    if region_id is not None:
        rows = rows.filter(dealer__region_id=region_id)
    if state == "retained":
        rows = rows.filter(state__in=[State.ACTIVE, State.RETAINED])
    elif state:
        rows = rows.filter(state=state)
    if band is not None:
        rows = rows.filter(age_band=band)
    if defected:
        rows = rows.filter(defected=True)
    return rows.select_related("vehicle", "vehicle__model", "owner", "dealer", "last_visit_dealer")
