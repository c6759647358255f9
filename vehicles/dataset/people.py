"""Customers: persons and companies with Chinese names, unique mobiles, demographics, consent and contacts."""

from __future__ import annotations

from datetime import date

from crm_site import crypto

from .codes import resident_id
from .context import Context, DealerInfo
from .reference import (
    COMPANY_SUFFIXES,
    COMPANY_TRADES,
    COMPANY_WORDS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    OCCUPATIONS,
    ROADS,
    SURNAMES,
)
from .rows import NULL, Weighted

SURNAME = Weighted([(surname, 1 / (rank + 6)) for rank, surname in enumerate(SURNAMES)])
INCOME = {
    "entry": Weighted([("", 10), ("low", 32), ("middle", 45), ("high", 11), ("very_high", 2)]),
    "mid": Weighted([("", 10), ("low", 15), ("middle", 50), ("high", 21), ("very_high", 4)]),
    "upper": Weighted([("", 10), ("low", 4), ("middle", 33), ("high", 40), ("very_high", 13)]),
    "premium": Weighted([("", 10), ("middle", 15), ("high", 40), ("very_high", 35)]),
}
EDUCATION = Weighted([("", 10), ("secondary", 20), ("college", 28), ("bachelor", 32), ("postgraduate", 10)])
PIPL_DAY = date(2021, 11, 1).toordinal()  # consent texts were rewritten when the PIPL took effect
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


class CustomerMaker:
    """Writes customer rows with their consent records, WeChat contacts and do-not-call history."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.lines = ctx.rows.lines

    def name(self, gender: str) -> str:
        rng = self.ctx.rng
        given = GIVEN_MALE if gender == "male" else GIVEN_FEMALE
        name = SURNAME(rng) + given[int(rng.random() * len(given))]
        return name if rng.random() < 0.3 else name + given[int(rng.random() * len(given))]

    def person(self, dealer: DealerInfo, day: int, band: str = "mid", user: int | None = None,
               prospect: bool = False) -> int:
        """A person who became a customer at the dealer on the day (a buyer, or a prospect with fewer details)."""
        ctx, rng, clock, city = self.ctx, self.ctx.rng, self.ctx.clock, dealer.city
        customer_id = ctx.new_id("customers_customer")
        gender = "male" if rng.random() < 0.66 else "female"
        age_days = int(365.25 * (23 + 20 * rng.random() + 25 * rng.random() * rng.random())) + int(rng.random() * 365)
        birth, birth_compact = clock.birth_date(day, age_days)
        encrypted = lookup = ""
        if not prospect and rng.random() < ctx.options.id_number_share:
            encrypted, lookup = self.id_number(city.id_area, birth_compact, gender)
        if prospect and rng.random() < 0.6:
            birth = NULL
        if rng.random() < 0.7 and not prospect:
            district = city.districts[int(rng.random() * len(city.districts))] if city.districts else ""
            address = f"{city.name}{district}{ROADS[int(rng.random() * len(ROADS))]}{1 + int(rng.random() * 300)}号"
        else:
            address = ""
        occupation = OCCUPATIONS[int(rng.random() * len(OCCUPATIONS))] if rng.random() < 0.85 and not prospect else ""
        income = INCOME[band](rng) if not prospect else ""
        education = EDUCATION(rng) if not prospect else ""
        do_not_call = rng.random() < 0.02
        created = clock.at(day, 540 + int(rng.random() * 540))
        self.lines["customers_customer"].append(
            f"{customer_id}\t{created}\t{ctx.stamp}\tperson\t{self.name(gender)}\t{ctx.mobiles.take()}\t{encrypted}\t"
            f"{lookup}\t{gender}\t{birth}\t{city.province}\t{city.name}\t{address}\t{occupation}\t{income}\t"
            f"{education}\t\t{NULL}\t{NULL}\t{'t' if do_not_call else 'f'}\t\n"
        )
        self.extras(customer_id, created, day, user, do_not_call, prospect)
        ctx.count("customers")
        return customer_id

    def company(self, dealer: DealerInfo, day: int, fleet_size: int, user: int | None) -> int:
        """A company or fleet customer (大客户), looked after by the dealer manager."""
        ctx, rng, city = self.ctx, self.ctx.rng, dealer.city
        customer_id = ctx.new_id("customers_customer")
        name = (f"{city.name}{COMPANY_WORDS[int(rng.random() * len(COMPANY_WORDS))]}"
                f"{COMPANY_TRADES[int(rng.random() * len(COMPANY_TRADES))]}"
                f"{COMPANY_SUFFIXES[int(rng.random() * len(COMPANY_SUFFIXES))]}")
        address = f"{city.name}{ROADS[int(rng.random() * len(ROADS))]}{1 + int(rng.random() * 300)}号"
        owner = dealer.manager if dealer.manager is not None else user
        created = ctx.clock.at(day, 540 + int(rng.random() * 540))
        self.lines["customers_customer"].append(
            f"{customer_id}\t{created}\t{ctx.stamp}\tcompany\t{name}\t{ctx.mobiles.take()}\t\t\t\t{NULL}\t"
            f"{city.province}\t{city.name}\t{address}\t\t\t\t{name}\t{fleet_size}\t"
            f"{owner if owner is not None else NULL}\tf\t\n"
        )
        self.extras(customer_id, created, day, user, False, False)
        ctx.count("customers")
        return customer_id

    def id_number(self, area: str, birth: str, gender: str) -> tuple[str, str]:
        """An encrypted resident ID number and its lookup hash, unique in the tenant."""
        rng = self.ctx.rng
        while True:
            sequence = 2 * int(rng.random() * 500) + (1 if gender == "male" else 0)
            number = resident_id(area, birth, sequence)
            lookup = crypto.lookup_hash(number)
            if lookup not in self.ctx.id_hashes:
                self.ctx.id_hashes.add(lookup)
                return crypto.encrypt(number), lookup

    def extras(self, customer_id: int, created: str, day: int, user: int | None, do_not_call: bool,
               prospect: bool) -> None:
        """Consent records (phone/service for about 80% of buyers), a WeChat contact for some, do-not-call history."""
        ctx, rng, lines = self.ctx, self.ctx.rng, self.lines
        prefix = f"{created}\t{ctx.stamp}\t{customer_id}"
        recorder = NULL if user is None else user
        version = "v2021.11" if day >= PIPL_DAY else "v2019.1"
        consents = lines["customers_consentrecord"]
        if prospect:
            if rng.random() < 0.6:
                consents.append(f"{prefix}\tphone\tmarketing\tt\tweb\t{version}\t{NULL}\n")
                ctx.count("consents")
        elif rng.random() < 0.8:
            consents.append(f"{prefix}\tphone\tservice\tt\tcounter\t{version}\t{recorder}\n")
            n = 1
            if rng.random() < 0.5:
                consents.append(f"{prefix}\tsms\tservice\tt\tcounter\t{version}\t{recorder}\n")
                n += 1
            if rng.random() < 0.3:
                consents.append(f"{prefix}\tphone\tsurvey\tt\tcounter\t{version}\t{recorder}\n")
                n += 1
            if rng.random() < 0.25:
                granted = "t" if rng.random() < 0.7 else "f"
                consents.append(f"{prefix}\tphone\tmarketing\t{granted}\tcounter\t{version}\t{recorder}\n")
                n += 1
            ctx.count("consents", n)
        if rng.random() < 0.3:
            handle = "".join(_ALNUM[int(rng.random() * 36)] for _ in range(10))
            lines["customers_contactpoint"].append(f"{prefix}\twechat\twxid_{handle}\t\n")
            ctx.count("contact points")
        if do_not_call:
            lines["customers_donotcallchange"].append(f"{prefix}\tt\t客户要求不再致电\t{recorder}\n")

    def link(self, customer_id: int, dealer: DealerInfo, kind: str, created: str) -> None:
        """The customer's link to a dealer, with the dealer's own customer number."""
        self.lines["customers_customerdealer"].append(
            f"{created}\t{self.ctx.stamp}\t{customer_id}\t{dealer.id}\t{kind}\t{dealer.ref('C')}\n")
        self.ctx.count("customer links")
