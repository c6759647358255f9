"""Service visits: a maintenance rhythm that fades with age, repairs in between, defection to a neighbour dealer."""

from __future__ import annotations

import math
import random

from .context import Context, DealerInfo
from .people import CustomerMaker
from .rows import NULL, Weighted

FIRST, MAINTENANCE, REPAIR, WARRANTY, ACCIDENT, RECALL = (
    "first_maintenance", "maintenance", "repair", "warranty", "accident", "recall")
EXTRA = Weighted([(REPAIR, 50), (WARRANTY, 25), (ACCIDENT, 15), (RECALL, 10)])
DECAY = 0.88  # each year of age makes the next maintenance visit less likely (owners drift to independent garages)
WARRANTY_DAYS = 3 * 365
BAND_FACTOR = {"entry": 1.0, "mid": 1.3, "upper": 1.7, "premium": 2.3}
# Longest stay in the workshop, in days, of the kinds that may take more than a day.
MULTI_DAY = {REPAIR: 3, WARRANTY: 4, ACCIDENT: 15}


def delivery_age(rng: random.Random, span: int) -> int:
    """Days since delivery, up to span; recent deliveries are likelier because the network grew."""
    if rng.random() < 0.35:
        return int(rng.random() * span)
    return int(span * (1 - math.sqrt(rng.random())))


def plan_visits(rng: random.Random, age: int, keep: float) -> list[tuple[int, str]]:
    """(days after delivery, kind) of the visits of a vehicle aged `age` days; `keep` sets the fleet's loyalty."""
    visits: list[tuple[int, str]] = []
    day = 45 + int(rng.random() * 105)  # first maintenance (首保) within five months
    if day > age:
        return visits
    if rng.random() < 0.9:
        visits.append((day, FIRST))
    elif rng.random() < 0.5:
        return visits  # never came back after the sale
    while True:
        gap = 150 + int(rng.random() * 60)  # maintenance about every six months
        if rng.random() < 0.25:  # a repair, warranty claim, accident or recall between two maintenances
            extra = day + 1 + int(rng.random() * (gap - 1))
            if extra <= age:
                kind = EXTRA(rng)
                visits.append((extra, REPAIR if kind == WARRANTY and extra > WARRANTY_DAYS else kind))
        day += gap
        # Churn: a vehicle that skips a maintenance is lapsed and does not come back.
        if day > age or rng.random() >= keep * DECAY ** (day / 365):
            return visits
        visits.append((day, MAINTENANCE))


def calibrate(target: float, span: int, seed: int, samples: int = 3000) -> tuple[float, float]:
    """The loyalty `keep` whose mean visits per vehicle is closest to the target, and that mean (bisection).

    The mean is bounded (a car cannot come more often than the maintenance rhythm allows), so report what it gives.
    """
    def mean(keep: float) -> float:
        rng = random.Random(f"{seed}:calibrate")  # the same sample each time makes the mean monotonic in keep
        return sum(len(plan_visits(rng, delivery_age(rng, span), keep)) for _ in range(samples)) / samples

    low, high = 0.0, 4.0
    for _ in range(20):
        middle = (low + high) / 2
        low, high = (middle, high) if mean(middle) < target else (low, middle)
    keep = (low + high) / 2
    return keep, mean(keep)


class ServiceMaker:
    """Writes a vehicle's repair orders and the dealer links that visits elsewhere create."""

    def __init__(self, ctx: Context, customers: CustomerMaker, keep: float | None):
        self.ctx = ctx
        self.customers = customers
        self.keep = keep
        self.lines = ctx.rows.lines

    def visits(self, vehicle_id: int, dealer: DealerInfo, band: str, delivered: int,
               owners: list[tuple[int, int]], vehicle_links: set[int], customer_links: set[tuple[int, int]]) -> int:
        """Write the visits of a vehicle; owners are (first day, customer id). Returns the last known mileage."""
        ctx, rng, clock = self.ctx, self.ctx.rng, self.ctx.clock
        mileage = 5 + int(rng.random() * 40)  # delivery mileage
        if self.keep is None:
            return mileage
        plan = plan_visits(rng, clock.today - 1 - delivered, self.keep)
        if not plan:
            return mileage
        visits, factor, stamp = self.lines["vehicles_servicevisit"], BAND_FACTOR.get(band, 1.3), ctx.stamp
        yearly_km = 7000 + int(15000 * rng.random())
        alt = dealer.peers[int(rng.random() * len(dealer.peers))] if dealer.peers else None
        at_alt = False
        for n, (offset, kind) in enumerate(plan):
            day = delivered + offset
            if alt is not None:  # about one visit in ten at another dealer of the region, and it tends to stick
                at_alt = rng.random() < (0.6 if at_alt else 0.05)
            where = alt if at_alt else dealer
            customer = owners[-1][1] if day >= owners[-1][0] else owners[0][1]
            if where.id not in vehicle_links:
                vehicle_links.add(where.id)
                self.link_vehicle(vehicle_id, where, clock.at(day, 500))
            if (customer, where.id) not in customer_links:
                customer_links.add((customer, where.id))
                self.customers.link(customer, where, "serviced", clock.at(day, 500))
            mileage = max(mileage + 50, int(offset * yearly_km * (0.92 + 0.16 * rng.random()) / 365))
            opened_minute = 510 + int(rng.random() * 540)  # 8:30 to 17:30
            opened = clock.at(day, opened_minute)
            closed_day, closed_minute = self.closing(kind, day, opened_minute)
            closed = clock.at(closed_day, closed_minute) if closed_day < clock.today else NULL
            advisor = where.advisors[int(rng.random() * len(where.advisors))]
            visits.append(f"{opened}\t{stamp}\t{where.id}\t{vehicle_id}\t{customer}\t{advisor}\t{kind}\t{opened}\t"
                          f"{closed}\t{mileage}\t{self.amount(kind, factor, n)}.00\t{where.ref('RO')}\n")
        ctx.count("service visits", len(plan))
        return mileage

    def closing(self, kind: str, day: int, opened_minute: int) -> tuple[int, int]:
        """When the repair order closes: the same day for maintenance, up to two weeks after an accident."""
        rng = self.ctx.rng
        days = int(rng.random() * MULTI_DAY[kind]) if kind in MULTI_DAY else 0
        if days:
            return day + days, 540 + int(rng.random() * 540)
        return day, min(opened_minute + 45 + int(rng.random() * 240), 1200)

    def amount(self, kind: str, factor: float, n: int) -> int:
        """What the customer paid, in yuan: first maintenance is mostly free, warranty and recalls always."""
        r = self.ctx.rng.random()
        if kind == MAINTENANCE:
            return int((400 + 800 * r) * factor * (1.8 if n % 2 else 1))
        if kind == FIRST:
            return 0 if r < 0.7 else int(150 + 800 * (r - 0.7))
        if kind == REPAIR:
            return int((200 + 3800 * r * r) * factor)
        if kind == ACCIDENT:
            return int((1500 + 23500 * r * r) * factor)
        return 0

    def link_vehicle(self, vehicle_id: int, dealer: DealerInfo, created: str, kind: str = "serviced") -> None:
        """The vehicle's link to a dealer, with the dealer's own vehicle number."""
        self.lines["vehicles_vehicledealer"].append(
            f"{created}\t{self.ctx.stamp}\t{vehicle_id}\t{dealer.id}\t{kind}\t{dealer.ref('V')}\n")
        self.ctx.count("vehicle links")
