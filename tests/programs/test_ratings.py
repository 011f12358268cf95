"""The rating rules every 1-5 questionnaire shares, checked against examples worked out by
hand in the comments."""

from decimal import Decimal

import pytest

from programs.ratings import CompetencyMean, competency_means, score_round, self_view

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


def means(answers: dict) -> dict[str, CompetencyMean]:
    return competency_means(answers=answers, item_competency=ITEMS, competencies=COMPETENCIES)


def mean_of(competency: str, answers: dict) -> Decimal | None:
    return means(answers)[competency].mean


# --- Means per competency ------------------------------------------------------------


def test_each_competency_gets_the_mean_of_its_items():
    # feedback   4, 5, 3    -> 12 / 3 = 4.00
    # delegation 3, 3       ->  6 / 2 = 3.00
    # coaching   3, 4, 4, 3 -> 14 / 4 = 3.50
    result = means(
        {"f1": 4, "f2": 5, "f3": 3, "d1": 3, "d2": 3, "c1": 3, "c2": 4, "c3": 4, "c4": 3}
    )
    assert result == {
        "feedback": CompetencyMean(Decimal("4.00"), 3),
        "delegation": CompetencyMean(Decimal("3.00"), 2),
        "coaching": CompetencyMean(Decimal("3.50"), 4),
    }


def test_means_follow_the_competency_order_given():
    result = competency_means(
        answers={"f1": 4}, item_competency=ITEMS, competencies=["coaching", "feedback"]
    )
    assert list(result) == ["coaching", "feedback"]


def test_means_round_half_up():
    # 3, 3, 3, 4 -> 13 / 4 = 3.25 -> 3.3 (Python's round() would give 3.2)
    items = {f"i{n}": "feedback" for n in range(4)}
    answers = {f"i{n}": 3 for n in range(3)} | {"i3": 4}
    result = competency_means(answers=answers, item_competency=items, competencies=["feedback"])
    assert result["feedback"].mean == Decimal("3.3")
    assert score_round(Decimal("2.65")) == Decimal("2.7")
    # 25 / 8 = 3.125 is shown as 3.1: one decimal, as every page shows scores.
    assert score_round(Decimal("3.125")) == Decimal("3.1")


def test_a_missing_or_not_observed_item_is_skipped_not_counted_as_zero():
    # f1 = 4, f2 = None (not observed), f3 absent -> mean of the one answer = 4.00
    # (not 4 / 3 = 1.33)
    assert means({"f1": 4, "f2": None})["feedback"] == CompetencyMean(Decimal("4.00"), 1)


def test_a_competency_with_no_answers_has_no_mean():
    assert means({"c1": None})["coaching"] == CompetencyMean(None, 0)


def test_an_item_of_a_competency_not_asked_about_is_not_reported():
    result = competency_means(answers={"c1": 2}, item_competency=ITEMS, competencies=["feedback"])
    assert result == {"feedback": CompetencyMean(None, 0)}


@pytest.mark.parametrize("value", [0, 6, -1, True, 3.5, "4"])
def test_an_answer_outside_one_to_five_names_the_item(value):
    with pytest.raises(ValueError, match="'d2'"):
        means({"d1": 3, "d2": value})


def test_an_answer_to_an_unmapped_item_names_the_item():
    with pytest.raises(ValueError, match="'x9'"):
        means({"x9": 3})


# --- Blind spots and hidden strengths ------------------------------------------------


def view(self_score: str | None, others_score: str | None, margin: float = 1.0) -> str:
    return self_view(
        self_score=None if self_score is None else Decimal(self_score),
        others_score=None if others_score is None else Decimal(others_score),
        margin=margin,
    )


def test_a_blind_spot_when_they_rate_themselves_higher():
    # Self 5, 5 -> 5.00; others 3, 4 -> 3.50; 5.00 - 3.50 = 1.50 >= 1.0
    assert view("5.00", "3.50") == "overrates"


def test_a_hidden_strength_when_they_rate_themselves_lower():
    # Self 1, 2 -> 1.50; others 4, 4 -> 4.00; 1.50 - 4.00 = -2.50, beyond 1.0
    assert view("1.50", "4.00") == "underrates"


@pytest.mark.parametrize(
    ("self_score", "others_score", "direction"),
    [
        # Self 4, 3 -> 3.50; others 3, 2 -> 2.50; difference exactly 1.00
        ("3.50", "2.50", "overrates"),
        ("2.50", "3.50", "underrates"),
    ],
)
def test_a_difference_exactly_at_the_margin_counts(self_score, others_score, direction):
    assert view(self_score, others_score) == direction


def test_a_difference_just_inside_the_margin_is_aligned():
    # Self 4, 3 -> 3.50; others 3, 3, 2 -> 8 / 3 = 2.67; 3.50 - 2.67 = 0.83 < 1.0
    assert view("3.50", "2.67") == ""
    assert view("2.67", "3.50") == ""


def test_the_margin_is_compared_without_float_error():
    # Self 3, 4 -> 3.50; others 3, 3, 3, 3, 4 -> 16 / 5 = 3.20; difference exactly 0.30.
    # In floats 3.5 - 3.2 is 0.2999..., which would miss a margin of 0.3.
    items = {f"i{n}": "feedback" for n in range(5)}
    own = competency_means(
        answers={"i0": 3, "i1": 4}, item_competency=items, competencies=["feedback"]
    )
    others = competency_means(
        answers={"i0": 3, "i1": 3, "i2": 3, "i3": 3, "i4": 4},
        item_competency=items,
        competencies=["feedback"],
    )
    assert (own["feedback"].mean, others["feedback"].mean) == (Decimal("3.5"), Decimal("3.2"))
    assert (
        self_view(self_score=own["feedback"].mean, others_score=others["feedback"].mean, margin=0.3)
        == "overrates"
    )


@pytest.mark.parametrize(("self_score", "others_score"), [(None, "1.00"), ("5.00", None)])
def test_one_view_alone_is_never_a_blind_spot(self_score, others_score):
    assert view(self_score, others_score) == ""


@pytest.mark.parametrize("margin", [0, -0.5])
def test_the_margin_must_be_positive(margin):
    with pytest.raises(ValueError, match="margin"):
        view("3.00", "3.00", margin=margin)
