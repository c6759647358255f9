"""Unique, valid and deterministic identifiers: VINs, licence plates, mobile numbers and resident ID numbers."""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from math import gcd

from stdnum.cn import ric

from crm_site.validators import vin_check_digit


class DatasetError(Exception):
    """The dataset cannot be generated as asked."""


class Permutation:
    """An affine bijection of range(size): consecutive indexes map to scattered, never repeated values."""

    def __init__(self, size: int, rng: random.Random):
        self.size = size
        self.step = rng.randrange(size // 3, size) | 1
        while gcd(self.step, size) != 1:
            self.step = (self.step + 2) % size or 1
        self.offset = rng.randrange(size)

    def __call__(self, index: int) -> int:
        return (self.step * index + self.offset) % self.size


class CodeSource:
    """Codes encoded from a permuted index space; later runs start after the indexes earlier runs used."""

    def __init__(self, size: int, encode: Callable[[int], str], rng: random.Random, start: int = 0,
                 taken: Collection[str] = ()):
        self.permutation = Permutation(size, rng)
        self.encode = encode
        self.next_index = start
        # Codes that exist already (other runs, other seeds, hand-entered data) are skipped.
        self.taken = taken

    def take(self) -> str:
        """The next unused code."""
        while True:
            if self.next_index >= self.permutation.size:
                raise DatasetError("The code space is exhausted; use another seed or fewer rows.")
            code = self.encode(self.permutation(self.next_index))
            self.next_index += 1
            if code not in self.taken:
                return code


# --- VIN -----------------------------------------------------------------------------------------

WMI = "LDX"  # a made-up world manufacturer identifier; "L" is the ISO 3780 prefix of China
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"  # position 10: A = 2010, cycling every 30 years
PLANTS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # position 11; with the 6-digit serial it makes each VIN unique
SERIALS = 1_000_000


def vin_tail(index: int) -> str:
    """Plant letter and serial number (positions 11–17) of the index-th vehicle."""
    return f"{PLANTS[index // SERIALS]}{index % SERIALS:06d}"


def make_vin(descriptor: str, year: int, tail: str) -> str:
    """A VIN with the right check digit from a 5-character descriptor, model year and tail."""
    body = f"{WMI}{descriptor}0{YEAR_CODES[(year - 2010) % 30]}{tail}"
    return f"{body[:8]}{vin_check_digit(body)}{body[9:]}"


class VinMaker:
    """Unique VINs: the tail comes from a permutation, so two generated VINs never share positions 11–17."""

    def __init__(self, rng: random.Random, start: int = 0, taken: Collection[str] = ()):
        self.tails = CodeSource(len(PLANTS) * SERIALS, vin_tail, rng, start)
        self.taken = taken

    def make(self, descriptor: str, year: int) -> str:
        while True:
            vin = make_vin(descriptor, year, self.tails.take())
            if vin not in self.taken:
                return vin


# --- Licence plates ------------------------------------------------------------------------------

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # serial positions never use I or O
PLATE_CHARS = PLATE_LETTERS + "0123456789"
# Ordinary serials, mostly digits as in real life: 12345, A1234, 1A234, AB123.
_ORDINARY_BLOCKS = (100_000, 240_000, 240_000, 576_000)
ORDINARY_SPACE = sum(_ORDINARY_BLOCKS)
NEV_SPACE = len(PLATE_CHARS) * 10_000


def ordinary_serial(index: int) -> str:
    """The 5-character serial of an ordinary (blue) plate."""
    if index < 100_000:
        return f"{index:05d}"
    index -= 100_000
    if index < 240_000:
        return f"{PLATE_LETTERS[index // 10_000]}{index % 10_000:04d}"
    index -= 240_000
    if index < 240_000:
        return f"{index // 24_000}{PLATE_LETTERS[index // 1_000 % 24]}{index % 1_000:03d}"
    index -= 240_000
    return f"{PLATE_LETTERS[index // 24_000]}{PLATE_LETTERS[index // 1_000 % 24]}{index % 1_000:03d}"


def nev_serial(index: int) -> str:
    """The 5 characters after D/F of a small new-energy (green) plate."""
    return f"{PLATE_CHARS[index // 10_000]}{index % 10_000:04d}"


class PlateMaker:
    """Unique plates per area (province character + letter, and D/F for new-energy vehicles)."""

    def __init__(self, seed: int, used: dict[str, int], taken: Collection[str] = ()):
        self.seed = seed
        self.used = used  # plates that exist already, by area prefix: later runs start after them
        self.taken = taken
        self.sources: dict[str, CodeSource] = {}

    def make(self, prefix: str, nev: str = "") -> str:
        """A plate of the area; nev is "D" (battery electric), "F" (plug-in hybrid) or "" (ordinary)."""
        area = prefix + nev
        source = self.sources.get(area)
        if source is None:
            space, encode = (NEV_SPACE, nev_serial) if nev else (ORDINARY_SPACE, ordinary_serial)
            # Each area has its own stream, so its plates do not depend on which areas came first.
            rng = random.Random(f"{self.seed}:plate:{area}")
            source = self.sources[area] = CodeSource(space, encode, rng, self.used.get(area, 0), self.taken)
        return area + source.take()


# --- Mobile numbers ------------------------------------------------------------------------------

# Mainland prefixes whose whole 8-digit range libphonenumber accepts as mobile numbers.
MOBILE_PREFIXES = tuple(
    str(prefix) for prefix in (*range(130, 140), 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 176, 177, 178,
                               *range(180, 190), 191, 193, 195, 196, 197, 198, 199)
)


class Scramble:
    """A keyed bijection of range(10**8) (three Feistel rounds on two 4-digit halves).

    The affine permutation alone leaves consecutive numbers a constant step apart, which shows in mobile numbers.
    """

    def __init__(self, rng: random.Random):
        self.keys = [rng.randrange(1, 10_000) for _ in range(3)]

    def __call__(self, value: int) -> int:
        high, low = divmod(value, 10_000)
        for key in self.keys:
            high, low = low, (high + (low * 7_919 + key) * 2_654_435_761 // 10_007) % 10_000
        return high * 10_000 + low


def mobile_source(rng: random.Random, start: int = 0, taken: Collection[str] = ()) -> CodeSource:
    """Unique mobile numbers of a tenant: a prefix and a scrambled 8-digit subscriber number."""
    scramble = Scramble(rng)

    def mobile_number(index: int) -> str:
        prefix, subscriber = divmod(index, 100_000_000)
        # Shifting the prefix by the subscriber number keeps the map one-to-one and hides the affine steps.
        return f"+86{MOBILE_PREFIXES[(prefix + subscriber) % len(MOBILE_PREFIXES)]}{scramble(subscriber):08d}"

    return CodeSource(len(MOBILE_PREFIXES) * 100_000_000, mobile_number, rng, start, taken)


# --- Resident ID numbers -------------------------------------------------------------------------


def resident_id(area: str, birth: str, sequence: int) -> str:
    """An 18-character resident ID number; birth is YYYYMMDD and an odd sequence means a man."""
    body = f"{area}{birth}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character when computing it
