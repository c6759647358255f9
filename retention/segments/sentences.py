"""Plain sentences for a cluster and a rule, built when shown from their stored traits in the reader's language.

The stored description is structured (attribute, value, shares or means); nothing here is a fixed text per cluster,
so the sentence says what the data found, in Chinese or English.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from retention.value import FM_MONTHS

from .attributes import AGE_BANDS

INCOME = {
    "low": gettext_lazy("earning under ¥100k a year"),
    "middle": gettext_lazy("earning ¥100k–300k a year"),
    "high": gettext_lazy("earning ¥300k–1M a year"),
    "very_high": gettext_lazy("earning over ¥1M a year"),
}
EDUCATION = {
    "secondary": gettext_lazy("with secondary schooling or less"),
    "college": gettext_lazy("college-educated"),
    "bachelor": gettext_lazy("with a bachelor's degree"),
    "postgraduate": gettext_lazy("with a postgraduate degree"),
}
CITY_TIERS = {
    "1": gettext_lazy("in first-tier cities"),
    "new1": gettext_lazy("in new first-tier cities"),
    "2": gettext_lazy("in second-tier cities"),
    "3": gettext_lazy("in third-tier cities or smaller"),
}
UNKNOWN = {
    "age_band": gettext_lazy("of unknown age"),
    "city_tier": gettext_lazy("of unknown city"),
    "province": gettext_lazy("of unknown province"),
    "income_band": gettext_lazy("of unknown income"),
    "education": gettext_lazy("of unknown education"),
    "occupation": gettext_lazy("of unknown occupation"),
}
NOUNS = {
    ("gender", "male"): gettext_lazy("men"),
    ("gender", "female"): gettext_lazy("women"),
    ("kind", "company"): gettext_lazy("companies and fleets"),
}
TIER_PHRASES = {
    "core": gettext_lazy("mainly core customers"),
    "growth": gettext_lazy("mainly growth customers"),
    "at_risk": gettext_lazy("mainly customers at risk of drifting away"),
    "dormant": gettext_lazy("mainly dormant customers"),
}
MODIFIERS = ("age_band", "city_tier", "province", "income_band", "education", "occupation")


def _number(value: float, digits: int = 1) -> str:
    """Grouped by thousands as everywhere on the site ("6,000", "3.2"); a whole number without decimals."""
    value = round(value, digits)
    return f"{value:,.{digits if value % 1 else 0}f}"


def _percent(share: float) -> str:
    return f"{round(share * 100):d}%"


def item_phrase(attribute: str, value: str) -> str:
    """One attribute value as a phrase ("aged 30–39", "二线城市", "年收入 30–100 万"), in the active language."""
    if value == "":
        return str(UNKNOWN.get(attribute, _("not known")))
    if attribute == "age_band":
        return str(next((label for key, _low, _high, label in AGE_BANDS if key == value), value))
    if attribute == "city_tier":
        return str(CITY_TIERS.get(value, value))
    if attribute == "province":
        return _("from %(province)s") % {"province": value}
    if attribute == "income_band":
        return str(INCOME.get(value, value))
    if attribute == "education":
        return str(EDUCATION.get(value, value))
    if attribute == "occupation":
        return _("working as %(occupation)s") % {"occupation": value}
    if (attribute, value) in NOUNS:
        return str(NOUNS[(attribute, value)])
    return value


def _numeric_clause(trait: dict) -> str:
    values = {"mean": _number(trait["mean"]), "overall": _number(trait["overall"]), "months": FM_MONTHS}
    name = trait["attribute"]
    if name == "visits":
        return _("%(mean)s visits in %(months)s months on average (overall %(overall)s)") % values
    if name == "spend":
        values |= {"mean": _number(trait["mean"], 0), "overall": _number(trait["overall"], 0)}
        return _("spend ¥%(mean)s in %(months)s months on average (overall ¥%(overall)s)") % values
    if name == "owned":
        return _("own %(mean)s vehicles on average (overall %(overall)s)") % values
    if name == "related":
        return _("%(mean)s related purchases on average (overall %(overall)s)") % values
    if name == "referrals":
        return _("%(mean)s referrals on average (overall %(overall)s)") % values
    if name == "rebuy":
        values |= {"mean": _percent(trait["mean"]), "overall": _percent(trait["overall"])}
        return _("%(mean)s bought again (overall %(overall)s)") % values
    if trait["z"] > 0:
        return _("came recently (mean R %(mean)s, overall %(overall)s)") % values
    return _("not seen for long (mean R %(mean)s, overall %(overall)s)") % values


def cluster_sentence(traits: list[dict]) -> str:
    """One sentence from a cluster's traits: who they mostly are, what they prefer, how they use the workshop."""
    noun, modifiers, clauses = None, [], []
    for trait in sorted(traits, key=lambda t: MODIFIERS.index(t["attribute"]) if t["attribute"] in MODIFIERS else 99):
        attribute, value = trait["attribute"], trait.get("value")
        if "mean" in trait:
            continue
        if (attribute, value) in NOUNS:
            noun = noun or str(NOUNS[(attribute, value)])
        elif attribute == "series":
            if value:
                clauses.append(_("prefer %(series)s") % {"series": value})
        elif attribute == "tier":
            if value in TIER_PHRASES:
                clauses.append(str(TIER_PHRASES[value]))
        elif attribute in MODIFIERS:
            modifiers.append(item_phrase(attribute, value))
    clauses += [_numeric_clause(t) for t in traits if "mean" in t]
    parts = []
    if modifiers:
        parts.append(_("Mostly %(noun)s %(traits)s") % {
            "noun": noun or _("customers"), "traits": pgettext("list of traits", ", ").join(modifiers)})
    elif noun:
        parts.append(_("Mostly %(noun)s") % {"noun": noun})
    parts += clauses
    if not parts:
        return _("Close to the customer base as a whole: no attribute sets this cluster apart.")
    sentence = pgettext("clauses of a sentence", "; ").join(parts)
    return sentence[:1].upper() + sentence[1:]


def antecedent_phrase(items: list[str]) -> str:
    """The attributes of a rule ("私营业主且年收入 30–100 万")."""
    phrases = [item_phrase(*item.split(":", 1)) for item in items]
    text = pgettext("rule", " and ").join(phrases)
    return text[:1].upper() + text[1:]


def rule_sentence(rule) -> str:
    """"A and B → buy X: confidence 62%, lift 1.8, covers 1,240 customers", in the active language."""
    return _("%(antecedent)s → buy %(series)s: confidence %(confidence)s, lift %(lift)s, covers %(customers)s "
             "customers") % {
        "antecedent": antecedent_phrase(rule.antecedent), "series": rule.consequent,
        "confidence": _percent(rule.confidence), "lift": f"{rule.lift:.2f}",
        "customers": f"{rule.customers:,}"}
