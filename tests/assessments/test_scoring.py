"""Assessment scoring, checked against examples worked out by hand in the comments.

The rating rules it builds on (means, rounding, the blind-spot margin) are checked in
tests/programs/test_ratings.py."""

import pytest

from assessments.scoring import (
    ChecksResult,
    CompetencyScore,
    Gap,
    competency_scores,
    knowledge_check_score,
    rank_gaps,
    readiness,
    top_gaps,
)

COMPETENCIES = ["feedback", "delegation", "coaching"]
ITEMS = {
    "f1": "feedback",
    "f2": "feedback",
    "f3": "feedback",
    "d1": "delegation",
    "d2": "delegation",
    "c1": "coaching",
    "c2": "coaching",
    "c3": "coaching",
    "c4": "coaching",
}


def one(competency: str, **kwargs) -> CompetencyScore:
    """The score for one competency, from competency_scores over the shared items."""
    scores = competency_scores(item_competency=ITEMS, competencies=COMPETENCIES, **kwargs)
    return next(score for score in scores if score.competency == competency)


# --- Competency scores ---------------------------------------------------------------


def test_full_example_with_both_views():
    # Self:    feedback   4, 5, 3    -> 12 / 3 = 4.00
    #          delegation 2, 3       ->  5 / 2 = 2.50
    #          coaching   3, 4, 4, 3 -> 14 / 4 = 3.50
    # Manager: feedback   3, 3, 2    ->  8 / 3 = 2.666... -> 2.7
    #          delegation 4, 4       ->  8 / 2 = 4.0
    #          coaching   4, 3, 4, 3 -> 14 / 4 = 3.5
    # Combined: feedback   (4.0 + 2.7) / 2 = 3.35 -> 3.4 (half up)
    #           delegation (2.5 + 4.0) / 2 = 3.25 -> 3.3
    #           coaching   (3.5 + 3.5) / 2 = 3.5
    # Blind spots (margin 1.0): feedback 4.0 - 2.7 = +1.3 -> overrates
    #                           delegation 2.50 - 4.00 = -1.50 -> underrates
    #                           coaching 0 -> none
    scores = competency_scores(
        self_answers={
            "f1": 4,
            "f2": 5,
            "f3": 3,
            "d1": 2,
            "d2": 3,
            "c1": 3,
            "c2": 4,
            "c3": 4,
            "c4": 3,
        },
        manager_answers={
            "f1": 3,
            "f2": 3,
            "f3": 2,
            "d1": 4,
            "d2": 4,
            "c1": 4,
            "c2": 3,
            "c3": 4,
            "c4": 3,
        },
        item_competency=ITEMS,
        competencies=COMPETENCIES,
    )
    assert scores == [
        CompetencyScore("feedback", 4.0, 2.7, 3.4, 3, 3, True, "overrates"),
        CompetencyScore("delegation", 2.5, 4.0, 3.3, 2, 2, True, "underrates"),
        CompetencyScore("coaching", 3.5, 3.5, 3.5, 4, 4, False, ""),
    ]


def test_results_follow_the_competency_order_given():
    scores = competency_scores(
        self_answers={"f1": 4},
        manager_answers={},
        item_competency=ITEMS,
        competencies=["coaching", "feedback", "delegation"],
    )
    assert [score.competency for score in scores] == ["coaching", "feedback", "delegation"]


def test_a_competency_with_no_answers_has_no_score():
    # Self answered nothing for coaching; manager 4, 4, 3, 3 -> 3.50.
    # Combined is the manager's view alone, and one view cannot be a blind spot.
    score = one(
        "coaching",
        self_answers={"c1": None, "c2": None},
        manager_answers={"c1": 4, "c2": 4, "c3": 3, "c4": 3},
    )
    assert score == CompetencyScore("coaching", None, 3.5, 3.5, 0, 4, False, "")


def test_nobody_answered_gives_no_scores_at_all():
    score = one("delegation", self_answers={}, manager_answers={"d1": None})
    assert score == CompetencyScore("delegation", None, None, None, 0, 0, False, "")


# --- Gap ranking ---------------------------------------------------------------------

ORDER = ["feedback", "delegation", "coaching", "conflict", "strategy", "vision"]


def test_gaps_ranked_with_ties_sharing_a_rank():
    # feedback   4.0 - 3.0 =  1.0
    # delegation 4.0 - 3.5 =  0.5
    # coaching   3.5 - 2.5 =  1.0
    # conflict   4.0 - 3.5 =  0.5
    # strategy   3.0 - 3.5 = -0.5 (above target: last among the assessed)
    # vision     not assessed -> last, no gap, no rank
    # "communication" has a score but no target, so it is not listed.
    # Ranks: 1.0, 1.0 -> 1, 1; 0.5, 0.5 -> 3, 3 (2 is skipped); -0.5 -> 5.
    # Ties list in framework order (feedback before coaching) even though the
    # targets are given in reverse.
    targets = {
        "vision": 4.5,
        "strategy": 3.0,
        "conflict": 4.0,
        "coaching": 3.5,
        "delegation": 4.0,
        "feedback": 4.0,
    }
    scores = {
        "feedback": 3.0,
        "delegation": 3.5,
        "coaching": 2.5,
        "conflict": 3.5,
        "strategy": 3.5,
        "vision": None,
        "communication": 2.0,
    }
    assert rank_gaps(targets=targets, scores=scores, order=ORDER) == [
        Gap("feedback", 4.0, 3.0, 1.0, 1),
        Gap("coaching", 3.5, 2.5, 1.0, 1),
        Gap("delegation", 4.0, 3.5, 0.5, 3),
        Gap("conflict", 4.0, 3.5, 0.5, 3),
        Gap("strategy", 3.0, 3.5, -0.5, 5),
        Gap("vision", 4.5, None, None, None),
    ]


def test_gaps_that_differ_only_by_float_error_still_tie():
    # 4.0 - 3.7 is 0.2999... in floats and 1.6 - 1.3 is 0.3000...04; both are 0.30.
    gaps = rank_gaps(
        targets={"feedback": 4.0, "delegation": 1.6},
        scores={"feedback": 3.7, "delegation": 1.3},
        order=ORDER,
    )
    assert [(gap.competency, gap.gap, gap.rank) for gap in gaps] == [
        ("feedback", 0.3, 1),
        ("delegation", 0.3, 1),
    ]


def test_not_assessed_competencies_come_last_in_framework_order():
    # coaching 4.0 - 4.5 = -0.5 still ranks above the unassessed ones;
    # vision has no score entry at all, delegation has None: both unassessed.
    gaps = rank_gaps(
        targets={"vision": 4.0, "coaching": 4.0, "delegation": 3.0},
        scores={"coaching": 4.5, "delegation": None},
        order=ORDER,
    )
    assert gaps == [
        Gap("coaching", 4.0, 4.5, -0.5, 1),
        Gap("delegation", 3.0, None, None, None),
        Gap("vision", 4.0, None, None, None),
    ]


def test_a_targeted_competency_outside_the_framework_order_is_an_error():
    with pytest.raises(ValueError, match="listening"):
        rank_gaps(targets={"listening": 3.0}, scores={"listening": 2.0}, order=ORDER)


def test_top_gaps_keeps_the_largest_shortfalls_in_rank_order():
    # Gaps: feedback 1.5 (rank 1), coaching 1.0 (2), delegation 0.5 (3), conflict 0.5 (3),
    # strategy 0.0 (5, target met), vision -1.0 (6, exceeded), listening unassessed.
    # Limit 3 keeps feedback, coaching and delegation: the 0.5 tie is cut in framework order.
    targets = {
        "feedback": 4.0,
        "delegation": 4.0,
        "coaching": 4.0,
        "conflict": 4.0,
        "strategy": 3.0,
        "vision": 3.0,
        "listening": 3.0,
    }
    scores = {
        "feedback": 2.5,
        "delegation": 3.5,
        "coaching": 3.0,
        "conflict": 3.5,
        "strategy": 3.0,
        "vision": 4.0,
    }
    gaps = rank_gaps(targets=targets, scores=scores, order=[*ORDER, "listening"])
    assert [gap.competency for gap in top_gaps(gaps)] == ["feedback", "coaching", "delegation"]
    # With room for all, target met (0.0), exceeded (-1.0) and unassessed are still left out.
    assert [gap.competency for gap in top_gaps(gaps, limit=10)] == [
        "feedback",
        "coaching",
        "delegation",
        "conflict",
    ]
    assert top_gaps(gaps, limit=0) == []


def test_top_gaps_is_empty_when_every_target_is_met():
    gaps = rank_gaps(
        targets={"feedback": 3.0, "delegation": 3.0},
        scores={"feedback": 3.0, "delegation": 4.0},
        order=ORDER,
    )
    assert top_gaps(gaps) == []


def test_top_gaps_rejects_a_negative_limit():
    with pytest.raises(ValueError, match="limit"):
        top_gaps([], limit=-1)


# --- Knowledge checks ----------------------------------------------------------------

CORRECT = {"q1": {"a"}, "q2": {"a", "c"}, "q3": {"b", "d"}, "q4": {"c"}}


def test_only_the_exact_set_of_right_options_scores():
    # q1 {a} = {a}              right
    # q2 {a} is a subset of {a, c}       wrong (no partial credit)
    # q3 {a, b, d} is a superset of {b, d} wrong
    # q4 unanswered                       wrong
    # 1 of 4 = 25%
    result = knowledge_check_score(
        answers={"q1": {"a"}, "q2": {"a"}, "q3": {"a", "b", "d"}},
        correct=CORRECT,
        pass_mark=50,
    )
    assert result == ChecksResult(correct=1, total=4, percent=25, passed=False)


def test_several_right_options_chosen_exactly_score():
    # q1, q2 {c, a} and q3 {d, b} right (order does not matter); q4 {} counts as unanswered.
    # 3 of 4 = 75%
    result = knowledge_check_score(
        answers={"q1": {"a"}, "q2": {"c", "a"}, "q3": {"d", "b"}, "q4": set()},
        correct=CORRECT,
        pass_mark=75,
    )
    assert result == ChecksResult(correct=3, total=4, percent=75, passed=True)


def test_nothing_answered_scores_zero():
    result = knowledge_check_score(answers={}, correct=CORRECT, pass_mark=1)
    assert result == ChecksResult(correct=0, total=4, percent=0, passed=False)


def check_of(right: int, total: int, pass_mark: int) -> ChecksResult:
    """A check of `total` one-option questions with the first `right` answered correctly."""
    correct = {f"q{n}": {"a"} for n in range(total)}
    answers = {f"q{n}": {"a" if n < right else "b"} for n in range(total)}
    return knowledge_check_score(answers=answers, correct=correct, pass_mark=pass_mark)


@pytest.mark.parametrize(
    ("right", "total", "pass_mark", "percent", "passed"),
    [
        (7, 10, 70, 70, True),  # exactly at the pass mark passes
        (7, 10, 71, 70, False),
        (2, 3, 67, 67, True),  # 66.67 rounds up to 67, which meets 67
        (2, 3, 68, 67, False),
        (1, 8, 13, 13, True),  # 12.5 rounds half up to 13 (round() would give 12)
        (7, 8, 88, 88, True),  # 87.5 -> 88
        (0, 5, 0, 0, True),  # a pass mark of 0 always passes
        (5, 5, 100, 100, True),
        (4, 5, 100, 80, False),
    ],
)
def test_percent_and_pass_mark(right, total, pass_mark, percent, passed):
    assert check_of(right, total, pass_mark) == ChecksResult(right, total, percent, passed)


@pytest.mark.parametrize("pass_mark", [-1, 101])
def test_a_pass_mark_outside_0_to_100_is_an_error(pass_mark):
    with pytest.raises(ValueError, match="Pass mark"):
        knowledge_check_score(answers={}, correct=CORRECT, pass_mark=pass_mark)


def test_a_check_with_no_questions_is_an_error():
    with pytest.raises(ValueError, match="no questions"):
        knowledge_check_score(answers={}, correct={}, pass_mark=50)


def test_a_question_with_no_right_option_is_an_error():
    with pytest.raises(ValueError, match="'q2'"):
        knowledge_check_score(answers={}, correct={"q1": {"a"}, "q2": set()}, pass_mark=50)


def test_an_answer_to_a_question_outside_the_check_is_an_error():
    with pytest.raises(ValueError, match="'q9'"):
        knowledge_check_score(answers={"q9": {"a"}}, correct=CORRECT, pass_mark=50)


# --- Readiness -----------------------------------------------------------------------


def ready(answers: dict[str, int | None]):
    return readiness(answers=answers, item_competency=ITEMS, competencies=COMPETENCIES)


def test_overall_exactly_4_is_ready():
    # feedback 5, 5 -> 5.00; delegation 3 -> 3.00; coaching 4, 4 -> 4.00
    # overall (5.00 + 3.00 + 4.00) / 3 = 4.00 -> ready; 3.00 is not below 3, so no large gap
    result = ready({"f1": 5, "f2": 5, "d1": 3, "c1": 4, "c2": 4})
    assert result.per_competency == {"feedback": 5.0, "delegation": 3.0, "coaching": 4.0}
    assert (result.overall, result.band, result.large_gaps) == (4.0, "ready", [])


def test_overall_just_below_4_is_nearly():
    # feedback 5 -> 5.0; delegation 3 -> 3.0; coaching 4, 4, 3 -> 11 / 3 = 3.7
    # overall (5.0 + 3.0 + 3.7) / 3 = 11.7 / 3 = 3.9 -> nearly
    result = ready({"f1": 5, "d1": 3, "c1": 4, "c2": 4, "c3": 3})
    assert (result.overall, result.band) == (3.9, "nearly")


def test_overall_exactly_3_is_nearly_with_a_large_gap():
    # feedback 2 -> 2.00; delegation 4 -> 4.00; coaching 3 -> 3.00
    # overall 9.00 / 3 = 3.00 -> nearly; feedback 2.00 < 3 is a large gap
    result = ready({"f1": 2, "d1": 4, "c1": 3})
    assert (result.overall, result.band, result.large_gaps) == (3.0, "nearly", ["feedback"])


def test_overall_below_3_is_not_yet():
    # feedback 2 -> 2.0; delegation 3, 4 -> 3.5; coaching 3, 3, 2 -> 8 / 3 = 2.7
    # overall (2.0 + 3.5 + 2.7) / 3 = 8.2 / 3 = 2.733... -> 2.7 -> not_yet
    # large gaps, in framework order: feedback (2.0) and coaching (2.7)
    result = ready({"f1": 2, "d1": 3, "d2": 4, "c1": 3, "c2": 3, "c3": 2})
    assert result.per_competency == {"feedback": 2.0, "delegation": 3.5, "coaching": 2.7}
    assert (result.overall, result.band) == (2.7, "not_yet")
    assert result.large_gaps == ["feedback", "coaching"]


def test_overall_weighs_each_competency_the_same():
    # feedback 5, 5, 5 -> 5.00; delegation 1 -> 1.00; coaching unanswered -> None, left out.
    # Overall (5.00 + 1.00) / 2 = 3.00, not the item mean 16 / 4 = 4.00.
    result = ready({"f1": 5, "f2": 5, "f3": 5, "d1": 1, "c1": None})
    assert result.per_competency == {"feedback": 5.0, "delegation": 1.0, "coaching": None}
    assert (result.overall, result.band, result.large_gaps) == (3.0, "nearly", ["delegation"])


def test_nothing_answered_is_unknown():
    result = ready({"f1": None})
    assert result.per_competency == {"feedback": None, "delegation": None, "coaching": None}
    assert (result.overall, result.band, result.large_gaps) == (None, "unknown", [])


def test_readiness_rejects_an_answer_outside_one_to_five():
    with pytest.raises(ValueError, match="'c2'"):
        ready({"c1": 3, "c2": 6})
