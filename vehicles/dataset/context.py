"""What the parts of the generator share: the options, dealers as plain data, and the run context."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from .codes import CodeSource, PlateMaker, VinMaker
from .reference import City
from .rows import Clock, Rows


@dataclass
class Options:
    """What to generate; the defaults are the design's benchmark network."""

    tenant: str
    dealers: int = 200
    vehicles: int = 1_000_000
    visits_per_vehicle: float = 5.0
    leads_per_dealer: int = 300
    seed: int = 1
    password: str = "demo-pass-2026"
    append: bool = False
    as_of: date | None = None  # "today" of the network; the same seed and day give the same data
    chunk_size: int = 50_000  # vehicles per COPY chunk
    id_number_share: float = 0.1  # customers with an encrypted resident ID number
    checked: bool = False  # keep PostgreSQL's row-by-row foreign key checks instead of one check at the end


# Width of the dealer-side external ids (per dealer counters): C000123, V000123, RO00001234, ...
REF_WIDTHS = {"C": 6, "V": 6, "SO": 6, "RO": 8, "RP": 7, "LD": 6}


@dataclass
class DealerInfo:
    """A dealer as the generator needs it: ids, staff, neighbours and external-id counters."""

    id: int
    code: str
    region_id: int
    city: City
    manager: int | None
    consultants: list[int]
    advisors: list[int]
    vehicles: int = 0  # vehicles this run sells here
    peers: list[DealerInfo] = field(default_factory=list)  # other dealers of the region, for defection
    counters: dict[str, int] = field(default_factory=dict)
    buyers: list[tuple[int, int]] = field(default_factory=list)  # (customer, since): referrals, repeat interest
    buyers_seen: int = 0

    def ref(self, prefix: str) -> str:
        """The next external id of a kind at this dealer."""
        number = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = number
        return f"{prefix}{number:0{REF_WIDTHS[prefix]}d}"

    def remember_buyer(self, rng: random.Random, customer_id: int, since: int) -> None:
        """Keep a uniform sample of at most 200 buyers and the day they became customers (reservoir sampling)."""
        self.buyers_seen += 1
        if len(self.buyers) < 200:
            self.buyers.append((customer_id, since))
        else:
            slot = int(rng.random() * self.buyers_seen)
            if slot < 200:
                self.buyers[slot] = (customer_id, since)


@dataclass
class Context:
    """The state of one run, shared by the customer, fleet, service and lead makers."""

    options: Options
    tenant_id: int
    rng: random.Random
    clock: Clock
    rows: Rows
    mobiles: CodeSource
    vins: VinMaker
    plates: PlateMaker
    id_hashes: set[str]  # lookup hashes of resident ID numbers in use
    next_ids: dict[str, int]  # next explicit id per table whose ids the generator assigns
    dealers: list[DealerInfo] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    stamp: str = ""  # updated_at and tenant_id, the same on every row

    def __post_init__(self):
        self.stamp = f"{self.clock.now}\t{self.tenant_id}"

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n
