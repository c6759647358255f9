"""Vehicles and their buyers: sales, ownership and transfers, dealer links, related purchases, visits, won leads."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import Catalogue, ModelInfo
from .context import Context, DealerInfo
from .leads import LeadMaker
from .people import CustomerMaker
from .reference import ACCESSORY_PROVIDER, COLOURS, FINANCE_PROVIDERS, INSURERS, WARRANTY_PROVIDER
from .rows import NULL, Weighted
from .service import ServiceMaker, delivery_age

COLOUR = Weighted(COLOURS)
LOAN_YEARS = Weighted([(1, 10), (2, 25), (3, 45), (5, 20)])
SPAN_DAYS = 8 * 365  # deliveries spread over the past eight years


@dataclass
class Purchase:
    """One vehicle of a purchase group, decided before anything is written."""

    delivered: int  # day ordinal
    model: ModelInfo
    lead_day: int | None = None  # a won lead behind the sale was created that day
    transferred: int | None = None  # the day the car went to its next owner
    trade_in: bool = False  # bought by trading in the customer's previous car


class FleetMaker:
    """Writes purchase groups: one customer (person or company) and the one to three vehicles they bought."""

    def __init__(self, ctx: Context, catalogue: Catalogue, customers: CustomerMaker, service: ServiceMaker,
                 leads: LeadMaker):
        self.ctx = ctx
        self.catalogue = catalogue
        self.customers = customers
        self.service = service
        self.leads = leads
        self.lines = ctx.rows.lines

    def group(self, dealer: DealerInfo, left: int) -> int:
        """Write one customer and their vehicles bought at the dealer (at most `left`); returns how many vehicles."""
        rng, clock = self.ctx.rng, self.ctx.clock
        # About 0.9 customers per vehicle: some persons buy a second car, companies (5%) one to three.
        company = rng.random() < 0.05
        count = 1 + int(rng.random() * 3) if company else (2 if rng.random() < 0.065 else 1)
        deliveries = sorted(clock.today - 1 - delivery_age(rng, SPAN_DAYS) for _ in range(min(count, left)))
        purchases = [Purchase(day, self.catalogue.pick(rng, day)) for day in deliveries]
        for purchase in purchases:
            # About a third of last year's sales came through a lead the CRM tracked.
            if purchase.delivered >= clock.today - 365 and rng.random() < 0.35:
                purchase.lead_day = purchase.delivered - 7 - int(rng.random() * 50)
        # A person buying a second car a year or more later often trades the first one in (置换).
        if len(purchases) == 2 and not company and deliveries[1] > deliveries[0] + 365 and rng.random() < 0.4:
            purchases[0].transferred, purchases[1].trade_in = deliveries[1], True
        for purchase in purchases:
            # Now and then an older car is sold privately (二手车) to a new owner.
            age = clock.today - purchase.delivered
            if purchase.transferred is None and age > 3 * 365 and rng.random() < 0.03:
                purchase.transferred = purchase.delivered + 730 + int(rng.random() * (age - 760))
        # The customer record starts with their first lead or purchase.
        since = min([deliveries[0], *(p.lead_day for p in purchases if p.lead_day is not None)])
        consultant = dealer.consultants[int(rng.random() * len(dealer.consultants))]
        if company:
            customer = self.customers.company(dealer, since, len(purchases) + int(rng.random() * 30), consultant)
        else:
            customer = self.customers.person(dealer, since, purchases[0].model.band, consultant)
        self.customers.link(customer, dealer, "sold", clock.at(since, 600))
        dealer.remember_buyer(rng, customer, since)
        customer_links = {(customer, dealer.id)}
        for purchase in purchases:
            self.vehicle(dealer, customer, consultant, purchase, customer_links)
        return len(purchases)

    def vehicle(self, dealer: DealerInfo, customer: int, consultant: int, purchase: Purchase,
                customer_links: set[tuple[int, int]]) -> None:
        """Write one vehicle with its sale, ownership, links, related purchases and service visits."""
        ctx, rng, clock, lines, stamp = self.ctx, self.ctx.rng, self.ctx.clock, self.lines, self.ctx.stamp
        model, delivered, transferred = purchase.model, purchase.delivered, purchase.transferred
        vehicle_id = ctx.new_id("vehicles_vehicle")
        vin = ctx.vins.make(model.vds, model.year)
        # Battery-electric and plug-in hybrid cars get green new-energy plates (D and F).
        nev = "D" if model.fuel == "bev" else "F" if model.fuel == "phev" else ""
        letters = dealer.city.plate[1:]
        plate = ctx.plates.make(dealer.city.plate[0] + letters[int(rng.random() * len(letters))], nev)
        delivered_on = clock.day(delivered)
        created = clock.at(delivered, 600 + int(rng.random() * 480))
        owners = [(delivered, customer)]
        ownerships = lines["vehicles_ownership"]
        if transferred is None:
            ownerships.append(f"{created}\t{stamp}\t{vehicle_id}\t{customer}\tsale\t{delivered_on}\t{NULL}\n")
        else:
            new_owner = self.customers.person(dealer, transferred, model.band)
            # The dealer that took the car in (or sold it) looks after the next owner.
            self.customers.link(new_owner, dealer, "assigned", clock.at(transferred, 600))
            customer_links.add((new_owner, dealer.id))
            owners.append((transferred, new_owner))
            moved_on = clock.day(transferred)
            ownerships.append(f"{created}\t{stamp}\t{vehicle_id}\t{customer}\tsale\t{delivered_on}\t{moved_on}\n")
            ownerships.append(f"{clock.at(transferred, 600)}\t{stamp}\t{vehicle_id}\t{new_owner}\ttransfer\t"
                              f"{moved_on}\t{NULL}\n")
            ctx.count("transfers")
        self.service.link_vehicle(vehicle_id, dealer, created, "sold")
        price = int(model.price * (0.88 + 0.1 * rng.random())) // 100 * 100
        lead = NULL
        if purchase.lead_day is not None:
            lead = self.leads.won(dealer, customer, purchase.lead_day, delivered, consultant, model.id)
        lines["vehicles_sale"].append(
            f"{created}\t{stamp}\t{dealer.id}\t{vehicle_id}\t{customer}\t{consultant}\t{lead}\t"
            f"{'trade_in' if purchase.trade_in else 'new'}\t{delivered_on}\t{price}.00\t{dealer.ref('SO')}\n")
        self.related(dealer, vehicle_id, customer, model, price, delivered, transferred or clock.today)
        mileage = self.service.visits(vehicle_id, dealer, model.band, delivered, owners, {dealer.id}, customer_links)
        lines["vehicles_vehicle"].append(
            f"{vehicle_id}\t{created}\t{stamp}\t{vin}\t{plate}\t{model.id}\t{COLOUR(rng)}\t{owners[-1][1]}\t"
            f"{dealer.id}\t{delivered_on}\t{mileage}\n")
        ctx.count("vehicles")

    def related(self, dealer: DealerInfo, vehicle_id: int, customer: int, model: ModelInfo, price: int,
                delivered: int, until: int) -> None:
        """Insurance renewed yearly for most buyers, extended warranty, finance and accessories at delivery."""
        ctx, rng, clock = self.ctx, self.ctx.rng, self.ctx.clock
        out = self.lines["vehicles_relatedpurchase"]
        prefix = f"{ctx.stamp}\t{dealer.id}\t{customer}\t{vehicle_id}"

        def write(kind: str, day: int, expires: str, amount: int, provider: str) -> None:
            out.append(f"{clock.at(day, 660)}\t{prefix}\t{kind}\t{clock.day(day)}\t{expires}\t{amount}.00\t"
                       f"{provider}\t{dealer.ref('RP')}\n")
            ctx.count("related purchases")

        if rng.random() < 0.6:
            insurer = INSURERS[int(rng.random() * len(INSURERS))]
            premium = int(price * (0.02 + 0.015 * rng.random()))
            day = delivered
            while day < min(until, clock.today):
                following = clock.add_years(day, 1)
                write("insurance", day, clock.day(following - 1), premium, insurer)
                if rng.random() > 0.7:  # renewed elsewhere, or not at all
                    break
                day, premium = following, int(premium * 0.95)
        if rng.random() < 0.15:
            write("extended_warranty", delivered, clock.day(clock.add_years(delivered, 5) - 1),
                  2000 + int(rng.random() * 4000), WARRANTY_PROVIDER)
        if rng.random() < 0.35:
            write("finance", delivered, clock.day(clock.add_years(delivered, LOAN_YEARS(rng)) - 1),
                  int(price * (0.3 + 0.4 * rng.random())), FINANCE_PROVIDERS[int(rng.random() * len(FINANCE_PROVIDERS))])
        if rng.random() < 0.3:
            write("accessories", delivered, NULL, 800 + int(rng.random() * 7200), ACCESSORY_PROVIDER)
