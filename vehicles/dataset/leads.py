"""Leads (潜在客户) through the funnel: won ones behind recent sales, open and lost ones at every dealer."""

from __future__ import annotations

import math

from .catalogue import Catalogue
from .context import Context, DealerInfo
from .people import CustomerMaker
from .rows import NULL, Weighted

SOURCE = Weighted([("walk_in", 35), ("hotline", 15), ("web", 30), ("referral", 10), ("dms", 10)])
LOST_REASON = Weighted([("price", 30), ("competitor", 25), ("no_contact", 15), ("postponed", 17), ("product", 8),
                        ("other", 5)])
# Where a lost lead dropped out of the funnel.
LOST_AFTER = Weighted([("new", 25), ("contacted", 45), ("test_drive", 15), ("negotiation", 15)])
# Final stage of a pipeline lead by its age: young leads are still open, old ones mostly lost.
STAGE_BY_AGE = (
    (7, Weighted([("new", 45), ("contacted", 40), ("test_drive", 10), ("negotiation", 5)])),
    (30, Weighted([("new", 10), ("contacted", 30), ("test_drive", 20), ("negotiation", 15), ("lost", 25)])),
    (10**6, Weighted([("new", 3), ("contacted", 10), ("test_drive", 7), ("negotiation", 5), ("lost", 75)])),
)
FUNNEL = ("new", "contacted", "test_drive", "negotiation")


def working_hours(minutes: int) -> int:
    """The time, or if it falls outside 8:30–20:00 (when consultants work their leads) a time of that day inside."""
    day, minute = divmod(minutes, 1440)
    return minutes if 510 <= minute <= 1200 else day * 1440 + 510 + minute % 690


class LeadMaker:
    """Writes leads with their stage history."""

    def __init__(self, ctx: Context, catalogue: Catalogue, customers: CustomerMaker):
        self.ctx = ctx
        self.catalogue = catalogue
        self.customers = customers
        self.lines = ctx.rows.lines

    def won(self, dealer: DealerInfo, customer: int, day: int, delivered: int, consultant: int, model_id: int) -> int:
        """A lead created on the day that ended in the sale delivered later; returns its id for the sale."""
        rng = self.ctx.rng
        created = day * 1440 + 540 + int(rng.random() * 600)
        closed = delivered * 1440 + 600 + int(rng.random() * 420)
        return self.write(dealer, customer, created, closed, "won", consultant, model_id)

    def pipeline(self, dealer: DealerInfo) -> None:
        """Open and lost leads of the last six months, about --leads-per-dealer of them."""
        ctx, rng, clock = self.ctx, self.ctx.rng, self.ctx.clock
        for _ in range(int(ctx.options.leads_per_dealer * (0.7 + 0.6 * rng.random()))):
            age = int(180 * (1 - math.sqrt(rng.random())))
            day = clock.today - 1 - age
            stage = next(choice for limit, choice in STAGE_BY_AGE if age < limit)(rng)
            consultant = dealer.consultants[int(rng.random() * len(dealer.consultants))]
            created = day * 1440 + 540 + int(rng.random() * 600)
            earlier = [buyer for buyer, since in dealer.buyers[:50] if since < day]
            if earlier and rng.random() < 0.15:  # a customer of the dealer interested in another car
                customer = earlier[int(rng.random() * len(earlier))]
            else:
                customer = self.customers.person(dealer, day, user=consultant, prospect=True)
                self.customers.link(customer, dealer, "lead", clock.at_minutes(created))
            # The last move happened some time between creation and yesterday evening.
            last = created + int(rng.random() * min(age, 20) * 1440)
            model = self.catalogue.pick(rng, day).id if rng.random() < 0.9 else NULL
            self.write(dealer, customer, created, last, stage, consultant, model)

    def write(self, dealer: DealerInfo, customer: int, created: int, last: int, stage: str, consultant: int,
              model) -> int:
        """Write a lead created and last moved at those minutes (since day ordinal 0), with its stage changes."""
        ctx, rng, clock, stamp = self.ctx, self.ctx.rng, self.ctx.clock, self.ctx.stamp
        lead_id = ctx.new_id("customers_lead")
        if stage == "lost":
            reached = LOST_AFTER(rng)
            path = [*FUNNEL[:FUNNEL.index(reached) + 1], "lost"]
            lost_reason = "no_contact" if reached == "new" else LOST_REASON(rng)
        else:
            lost_reason = ""
            path = [*FUNNEL[:FUNNEL.index(stage) + 1]] if stage != "won" else [*FUNNEL, "won"]
        if "negotiation" in path and rng.random() < 0.3:
            path.remove("test_drive")  # contacted → negotiation without a test drive is allowed
        # Times of the moves after creation, spread between creation and the last move, in working hours.
        moves = [created + int(rng.random() * (last - created)) for _ in range(len(path) - 2)]
        times = [created, *sorted(max(created, working_hours(t)) for t in [*moves, last])][: len(path)]
        assigned = consultant if stage != "new" or rng.random() < 0.7 else NULL
        changed_by = NULL if assigned == NULL else consultant
        source = SOURCE(rng)
        referred_by = NULL
        if source == "referral":
            referrers = [buyer for buyer, since in dealer.buyers[:20] if buyer != customer and since * 1440 < created]
            if referrers:
                referred_by = referrers[int(rng.random() * len(referrers))]
            else:
                source = "walk_in"
        open_lead = stage in FUNNEL
        next_action = clock.day(clock.today - 5 + int(rng.random() * 20)) if open_lead and assigned != NULL else NULL
        contacted = clock.at_minutes(times[1]) if len(path) > 1 and path[1] != "lost" else NULL
        self.lines["customers_lead"].append(
            f"{lead_id}\t{clock.at_minutes(created)}\t{stamp}\t{dealer.id}\t{customer}\t{source}\t{referred_by}\t"
            f"{model}\t{stage}\t{assigned}\t{next_action}\t{lost_reason}\t{contacted}\t{clock.at_minutes(times[-1])}\t"
            f"{dealer.ref('LD')}\t\n")
        changes = self.lines["customers_leadstagechange"]
        previous = ""
        for to_stage, minutes in zip(path, times, strict=True):
            changes.append(f"{clock.at_minutes(minutes)}\t{stamp}\t{lead_id}\t{previous}\t{to_stage}\t{changed_by}\t\n")
            previous = to_stage
        ctx.count("leads")
        ctx.count("lead stage changes", len(path))
        return lead_id
