"""How a campaign is shown: its criteria in words, the exclusion reasons, the results table and chart data."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.choices import SkipReason

from ..choices import AgeBand, State
from ..dashboard import pct
from ..models import CustomerValue
from .models import RETURN_DAYS

REASON_LABELS = {**dict(SkipReason.choices),
                 "not_created": gettext_lazy("No task could be made at the launch (counted by the follow-up run)")}

MEASURES = ("contacted", "reached", "booked", "returned")


def criteria_text(campaign) -> str:
    """One line: place, states, age bands, series, tiers."""
    criteria = campaign.criteria or {}
    parts = [campaign.dealer.name if campaign.dealer_id else campaign.region.name if campaign.region_id
             else _("The whole network")]
    states = [str(State(s).label) for s in criteria.get("states") or [] if s in State.values]
    parts.append(" / ".join(states) or _("Lapsed or lost"))
    bands = [AgeBand(b).label for b in criteria.get("age_bands") or [] if b in AgeBand.values]
    if bands:
        parts.append(_("%(bands)s years since delivery") % {"bands": ", ".join(bands)})
    if criteria.get("series"):
        parts.append(", ".join(criteria["series"]))
    tiers = [str(CustomerValue.Tier(t).label) for t in criteria.get("tiers") or [] if t in CustomerValue.Tier.values]
    if tiers:
        parts.append(_("value tier %(tiers)s") % {"tiers": ", ".join(tiers)})
    clusters = criteria.get("clusters") or {}
    if clusters.get("numbers"):
        parts.append(_("clusters %(numbers)s of segmentation run %(run)s") % {
            "numbers": ", ".join(str(n) for n in clusters["numbers"]), "run": clusters.get("run")})
    return " · ".join(parts)


def definitions() -> dict:
    """What each figure counts (shown under the table and as titles)."""
    return {
        "members": _("Customers drawn into the group at the launch (one per customer)."),
        "contacted": _("At least one call attempt on the customer's campaign task."),
        "reached": _("Someone answered: reached, refused or asked to be called back."),
        "booked": _("A service booking, not cancelled, taken on one of those calls."),
        "returned": _("A service visit of any of the customer's vehicles, at any dealer of the network, after the "
                      "first contact and at most %(days)s days after it; for the control group and for customers "
                      "never called, after the launch.") % {"days": RETURN_DAYS},
    }


def results_rows(results) -> list[dict]:
    """The table beside the chart: each measure for called and control, counts and rates."""
    defs = definitions()
    rows = [{"key": "members", "label": _("Members"), "title": defs["members"],
             "called": results.called.members, "control": results.control.members, "called_rate": "",
             "control_rate": ""}]
    labels = {"contacted": _("Contacted"), "reached": _("Reached"), "booked": _("Booked"), "returned": _("Returned")}
    for name in MEASURES:
        rows.append({"key": name, "label": labels[name], "title": defs[name],
                     "called": getattr(results.called, name), "control": getattr(results.control, name),
                     "called_rate": pct(results.called.rate(name)), "control_rate": pct(results.control.rate(name))})
    return rows


def results_chart(results) -> dict:
    """Data for static/js/campaigns.js: rates per measure for both groups, and the difference with its interval."""
    labels = {"contacted": _("Contacted"), "reached": _("Reached"), "booked": _("Booked"), "returned": _("Returned")}
    d = results.difference

    def share(group, name):
        rate = group.rate(name)
        return None if rate is None else round(rate * 100, 1)

    return {
        "measures": [str(labels[name]) for name in MEASURES],
        "series": [{"name": _("Called"), "values": [share(results.called, n) for n in MEASURES]},
                   {"name": _("Control (not called)"), "values": [share(results.control, n) for n in MEASURES]}],
        "difference": None if d.estimate is None else {
            # xgettext:no-python-format
            "label": _("Return rate, called − control (percentage points, 95 % interval)"),
            "estimate": round(d.estimate * 100, 1), "low": round(d.low * 100, 1), "high": round(d.high * 100, 1)},
        "unit": "%",
    }


def difference_text(results) -> str:
    """"+12.3 pp (95 % interval −1.2 to +25.8 pp)", or a dash."""
    d = results.difference
    if d.estimate is None:
        return "—"
    return _("%(d)s pp (95 %% interval %(low)s to %(high)s pp)") % {
        "d": f"{d.estimate * 100:+.1f}", "low": f"{d.low * 100:+.1f}", "high": f"{d.high * 100:+.1f}"}
