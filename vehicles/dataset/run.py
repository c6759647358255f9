"""One run of the generator: the organisation through the ORM, then the bulk through COPY in one transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from vehicles.models import Vehicle

from . import db
from .catalogue import Catalogue, ensure_catalogue
from .codes import DatasetError, PlateMaker, VinMaker, mobile_source
from .context import REF_WIDTHS, Context, DealerInfo, Options
from .copyio import CopyWriter
from .fleet import SPAN_DAYS, FleetMaker
from .leads import LeadMaker
from .org import dealer_infos, ensure_dealers, ensure_staff, ensure_tenant
from .people import CustomerMaker
from .rows import Clock, Rows
from .service import ServiceMaker, calibrate


def spread(dealers: list[DealerInfo], vehicles: int, seed: int) -> None:
    """Share the vehicles among dealers: big-city stores sell more, and stores differ (largest remainder)."""
    rng = random.Random(f"{seed}:spread")
    weights = [dealer.city.weight ** 0.5 * rng.lognormvariate(0, 0.45) for dealer in dealers]
    total = sum(weights)
    shares = [vehicles * weight / total for weight in weights]
    for dealer, share in zip(dealers, shares, strict=True):
        dealer.vehicles = int(share)
    by_remainder = sorted(range(len(dealers)), key=lambda n: int(shares[n]) - shares[n])
    for n in by_remainder[: vehicles - sum(dealer.vehicles for dealer in dealers)]:
        dealers[n].vehicles += 1


def generate(options: Options, log: Callable[[str], None] = print) -> dict[str, int]:
    """Generate the network and return row counts; the same options (seed, as_of) give the same data."""
    started = time.perf_counter()

    def step(message: str) -> None:
        log(f"[{time.perf_counter() - started:7.1f}s] {message}")

    as_of = options.as_of or timezone.localdate()
    with transaction.atomic():
        tenant = ensure_tenant(options.tenant, options.password)
        if not options.append and Vehicle.objects.filter(tenant=tenant).exists():
            raise DatasetError(f"Tenant {tenant.slug!r} already has vehicles; pass --append to add more.")
        new_dealers = ensure_dealers(tenant, options.dealers, options.seed)
        new_staff = ensure_staff(tenant, options.seed, options.password)
        new_models = ensure_catalogue(tenant)
        dealers, catalogue = dealer_infos(tenant), Catalogue(tenant)
        step(f"tenant {tenant.slug} (id {tenant.id}): {len(dealers)} dealers ({new_dealers} new), "
             f"{new_staff} new staff, {new_models} new models")
        if not dealers or not catalogue:
            raise DatasetError("The tenant needs at least one active dealer and one vehicle model.")
        db.check_columns()
        existing = db.load_existing(tenant.id)
        starts = db.reserve_ids()
        rng = random.Random(f"{options.seed}:fleet")
        ctx = Context(
            options=options, tenant_id=tenant.id, rng=rng, clock=Clock(as_of), rows=Rows(),
            mobiles=mobile_source(random.Random(f"{options.seed}:mobiles"), existing.customers, existing.mobiles),
            vins=VinMaker(random.Random(f"{options.seed}:vins"), existing.vehicles, existing.vins),
            plates=PlateMaker(options.seed, existing.plate_areas, existing.plates),
            id_hashes=existing.id_hashes, next_ids=dict(starts), dealers=dealers,
        )
        for dealer in dealers:
            dealer.counters = {prefix: existing.refs.get((dealer.id, prefix), 0) for prefix in REF_WIDTHS}
        spread(dealers, options.vehicles, options.seed)
        keep = None
        if options.visits_per_vehicle > 0:
            keep, mean = calibrate(options.visits_per_vehicle, SPAN_DAYS, options.seed)
            step(f"loyalty {keep:.3f} gives {mean:.2f} visits per vehicle on a sample "
                 f"(asked {options.visits_per_vehicle:g})")
        customers = CustomerMaker(ctx)
        leads = LeadMaker(ctx, catalogue, customers)
        fleet = FleetMaker(ctx, catalogue, customers, ServiceMaker(ctx, customers, keep), leads)
        unchecked = not options.checked and db.skip_row_triggers()
        writer = CopyWriter(db.pg())
        try:
            _fill(ctx, fleet, leads, writer, options, step)
            writer.close()
        except BaseException:
            writer.abandon()
            raise
        _report(writer, step)
        db.release_ids(starts, ctx.next_ids)
        # Statistics first: the checks below join millions of rows and need sensible plans.
        db.analyze()
        step("analyzed")
        if unchecked:
            db.restore_row_triggers()
            db.verify_foreign_keys(tenant.id)
        else:
            db.fire_deferred_checks()
        step("foreign keys checked")
    step("committed")
    return dict(ctx.counts)


def _fill(ctx: Context, fleet: FleetMaker, leads: LeadMaker, writer: CopyWriter, options: Options, step) -> None:
    """Generate every dealer's fleet and leads, handing a chunk to the writer every chunk_size vehicles."""
    made = since_flush = 0

    def flush() -> None:
        for table, lines in ctx.rows.take():
            writer.put(table, lines)

    # Dealers take turns, one customer at a time, so rows of every dealer are spread over the id range as in a
    # live system; a dealer-by-dealer load would cluster ids and mislead the planner on "WHERE dealer ORDER BY id".
    left = {dealer.id: dealer.vehicles for dealer in ctx.dealers}
    turn = [dealer for dealer in ctx.dealers if left[dealer.id]]
    while turn:
        for dealer in turn:
            count = fleet.group(dealer, left[dealer.id])
            left[dealer.id] -= count
            made += count
            since_flush += count
            if since_flush >= options.chunk_size:
                flush()
                since_flush = 0
                step(f"{made:,}/{options.vehicles:,} vehicles generated")
        turn = [dealer for dealer in turn if left[dealer.id]]
    for dealer in ctx.dealers:
        leads.pipeline(dealer)
    flush()
    step(f"{made:,} vehicles and the lead pipelines generated; waiting for COPY to finish")


def _report(writer: CopyWriter, step) -> None:
    for table in sorted(writer.rows, key=writer.seconds.get, reverse=True):
        step(f"  {table:28} {writer.rows[table]:>10,} rows  COPY {writer.seconds[table]:6.1f}s")
