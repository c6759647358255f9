"""The index, factor, top-box and NPS formulas (DESIGN §4, §9.4) against values computed by hand."""

import pytest

from surveys import scoring

QUESTIONS = [
    {"code": "q1", "type": "scale", "scale_min": 1, "scale_max": 5, "weight": 2, "factor": "a", "is_overall": True},
    # A reversed scale: 5 is the worst answer, 1 the best.
    {"code": "q2", "type": "scale", "scale_min": 5, "scale_max": 1, "weight": 1, "factor": "b"},
    {"code": "q3", "type": "nps", "scale_min": 0, "scale_max": 10, "weight": 1, "factor": ""},
    {"code": "q4", "type": "choice", "choices": ["yes", "no"], "weight": 5, "factor": "a"},
    {"code": "q5", "type": "text", "weight": 5, "factor": "a"},
    {"code": "q6", "type": "scale", "scale_min": 1, "scale_max": 10, "weight": 1, "factor": "a", "required": False},
]


def test_index_is_1000_times_the_weighted_mean_of_normalised_scored_answers():
    # q1 (4-1)/(5-1) = .75 ×2; q2 (4-5)/(1-5) = .25 ×1; q3 9/10 = .9 ×1; choice and text not scored; q6 missing.
    result = scoring.score(QUESTIONS, {"q1": 4, "q2": 4, "q3": 9, "q4": "yes", "q5": "fine"})
    assert result.index == pytest.approx(1000 * (2 * .75 + .25 + .9) / 4)  # 662.5
    assert result.index == 662.5
    assert result.factors == {"a": 750.0, "b": 250.0}
    assert result.top_box is False
    assert result.nps_score == 9 and result.nps_category == "promoter"


def test_an_optional_answer_given_counts_with_its_weight():
    result = scoring.score(QUESTIONS, {"q1": 4, "q2": 4, "q3": 9, "q6": 10})
    assert result.index == 730.0  # (1.5 + .25 + .9 + 1) / 5
    assert result.factors["a"] == pytest.approx(833.33, abs=0.01)  # (2 × .75 + 1) / 3


def test_the_best_end_of_a_reversed_scale_is_1000_and_top_box_is_the_overall_maximum():
    result = scoring.score(QUESTIONS, {"q1": 5, "q2": 1, "q3": 10})
    assert result.index == 1000.0 and result.top_box is True and result.all_max is True
    worst = scoring.score(QUESTIONS, {"q1": 1, "q2": 5, "q3": 0})
    assert worst.index == 0.0 and worst.nps_category == "detractor" and worst.all_max is False


@pytest.mark.parametrize(("score", "category"), [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"),
                                                 (9, "promoter"), (10, "promoter"), (None, "")])
def test_nps_categories(score, category):
    assert scoring.nps_category(score) == category


def test_nps_is_percent_promoters_minus_percent_detractors():
    assert scoring.nps_of(promoters=2, detractors=1, answered=4) == 25.0
    assert scoring.nps_of(promoters=0, detractors=3, answered=3) == -100.0
    assert scoring.nps_of(0, 0, 0) is None


def test_no_scored_answer_has_no_index():
    assert scoring.score(QUESTIONS, {"q4": "no"}).index is None
