"""The satisfaction formulas of DESIGN §4 and §9.4, on plain data so they can be checked by hand.

An answer on a scale is normalised to (value − min) / (max − min), so a reversed scale (min 5, max 1) works the
same way; a response's index is 1000 × the weighted mean of its normalised scored answers (scale and nps; choice
and text are not scored; an optional question left out counts for nothing); top box is the overall question's
answer at the scale maximum; NPS is % promoters (9–10) − % detractors (0–6).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .choices import SCORED_TYPES, NpsCategory, QuestionType


def bounds(question: dict) -> tuple[int, int]:
    """A question's (min, max) as the template says them (an NPS question is always 0..10)."""
    if question.get("type") == QuestionType.NPS:
        return 0, 10
    return int(question.get("scale_min", 1)), int(question.get("scale_max", 5))


def normalise(value: float, low: float, high: float) -> float:
    """(value − min) / (max − min): 0 at the scale's worst end, 1 at its best."""
    return (value - low) / (high - low)


def nps_category(score: int | None) -> str:
    """Promoter 9–10, passive 7–8, detractor 0–6 ('' without an answer)."""
    if score is None:
        return ""
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


@dataclass
class Score:
    """What is stored with a response."""

    index: float | None
    factors: dict[str, float] = field(default_factory=dict)
    top_box: bool | None = None
    all_max: bool = False
    nps_score: int | None = None
    nps_category: str = ""


def _weighted(parts: list[tuple[float, float]]) -> float | None:
    total = sum(weight for _value, weight in parts)
    if not parts or total <= 0:
        return None
    return round(1000 * sum(value * weight for value, weight in parts) / total, 2)


def score(questions: list[dict], answers: dict) -> Score:
    """The index, factor indices, top box and NPS of one response (answers: code → validated value)."""
    overall, by_factor, top_box, nps, all_max = [], {}, None, None, True
    for question in questions:
        value = answers.get(question["code"])
        if value is None or value == "":
            continue
        kind = question.get("type")
        if kind == QuestionType.NPS and nps is None:
            nps = int(value)
        if kind not in SCORED_TYPES:
            continue
        low, high = bounds(question)
        part = (normalise(float(value), low, high), float(question.get("weight", 1)))
        overall.append(part)
        by_factor.setdefault(question.get("factor") or "", []).append(part)
        at_max = int(value) == high
        all_max = all_max and at_max
        if question.get("is_overall"):
            top_box = at_max
    factors = {name: _weighted(parts) for name, parts in by_factor.items() if name}
    return Score(index=_weighted(overall), factors={k: v for k, v in factors.items() if v is not None},
                 top_box=top_box, all_max=bool(overall) and all_max, nps_score=nps, nps_category=nps_category(nps))


def nps_of(promoters: int, detractors: int, answered: int) -> float | None:
    """NPS over a group: % promoters − % detractors, −100..100 (None without an NPS answer)."""
    if not answered:
        return None
    return round(100 * (promoters - detractors) / answered, 1)
