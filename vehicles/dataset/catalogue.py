"""The vehicle model catalogue: created for a tenant that has none, and chosen from by delivery date."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date

from vehicles.models import VehicleModel

from .reference import CATALOGUE
from .rows import Weighted

BAND_PRICES = {"entry": 120_000, "mid": 190_000, "upper": 300_000, "premium": 450_000}
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class ModelInfo:
    """A catalogue model as the generator needs it."""

    id: int
    series: str
    year: int
    fuel: str
    band: str
    price: int  # list price in yuan
    vds: str  # VIN positions 4–8


def ensure_catalogue(tenant) -> int:
    """Create the reference catalogue (about 20 models) unless the tenant has models; returns how many."""
    if VehicleModel.objects.filter(tenant=tenant).exists():
        return 0
    models = [
        VehicleModel(tenant=tenant, code=f"{series.code}{year}", series=series.name, name=trim,
                     year=year, fuel_type=series.fuel, price_band=series.band,
                     is_active=year == series.generations[-1][0])
        for series in CATALOGUE
        for year, trim in series.generations
    ]
    VehicleModel.objects.bulk_create(models)
    return len(models)


def _descriptor(series: str) -> str:
    """A stable 5-character VIN descriptor for a series the reference catalogue does not know."""
    digest = hashlib.sha256(series.encode()).digest()
    return "".join(_VIN_CHARS[byte % len(_VIN_CHARS)] for byte in digest[:5])


class Catalogue:
    """What a buyer could get on a given day: the current generation of each series, weighted by sales."""

    def __init__(self, tenant):
        known = {series.name: series for series in CATALOGUE}
        by_series: dict[str, list[VehicleModel]] = {}
        for model in VehicleModel.objects.filter(tenant=tenant).order_by("series", "year", "code"):
            by_series.setdefault(model.series, []).append(model)
        # (weight, [(first day on sale, model)]); a model year goes on sale in September of the year before.
        self.series: list[tuple[float, list[tuple[int, ModelInfo]]]] = []
        for name, models in by_series.items():
            reference = known.get(name)
            generations = []
            for n, model in enumerate(models):
                base = reference.base_price if reference else BAND_PRICES.get(model.price_band, 150_000)
                info = ModelInfo(model.id, name, model.year, model.fuel_type, model.price_band,
                                 int(base * (1 + 0.03 * n)), reference.vds if reference else _descriptor(name))
                generations.append((date(model.year - 1, 9, 1).toordinal(), info))
            self.series.append((reference.weight if reference else 1.0, generations))
        self._by_day: dict[int, Weighted] = {}

    def __bool__(self) -> bool:
        return bool(self.series)

    def pick(self, rng: random.Random, day: int) -> ModelInfo:
        """A model on sale on the day (ordinal)."""
        choice = self._by_day.get(day)
        if choice is None:
            current = []
            for weight, generations in self.series:
                on_sale = [info for start, info in generations if start <= day]
                if on_sale:
                    current.append((on_sale[-1], weight))
            # Before the first launch, the first generations stand in.
            choice = self._by_day[day] = Weighted(current or [(g[0][1], w) for w, g in self.series])
        return choice(rng)
