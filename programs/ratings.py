"""Rating rules shared by every questionnaire rated on the 1-5 scale (self and manager
assessments, readiness, 360 feedback): the mean per competency, and whether how a person
sees themselves differs from how others see them by at least a margin.

Pure functions over plain values, with no database access, beside the competency
framework so that every app above programs scores the same way.

Every score is rounded to one decimal, half up (3.25 -> 3.3), because that is how
every page shows it and how a reader rounds. Anything derived from a score is computed from the rounded score, so each
figure on a report can be checked against the others shown beside it. Scores are Decimals
here so that comparisons against a margin are exact; callers turn them into floats to show.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATING_MIN = 1
RATING_MAX = 5

# How a person's view of themselves compares with others' view of them.
SELF_VIEW_ALIGNED = ""
SELF_VIEW_OVERRATES = "overrates"  # a blind spot: they rate themselves higher
SELF_VIEW_UNDERRATES = "underrates"  # a hidden strength: they rate themselves lower

_TENTH = Decimal("0.1")


def score_round(value: Decimal) -> Decimal:
    """`value` rounded to one decimal, half up (3.25 -> 3.3; Python's round() gives 3.2)."""
    return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def to_decimal(value: float | Decimal) -> Decimal:
    """`value` as a Decimal, through str so 3.3 stays 3.3 rather than 3.29999...."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def score_mean(values: Iterable[Decimal]) -> Decimal | None:
    """The rounded mean of `values`, or None when there are none."""
    values = list(values)
    if not values:
        return None
    return score_round(sum(values, Decimal(0)) / len(values))


@dataclass(frozen=True)
class CompetencyMean:
    """One competency's rounded mean rating, and how many items it was computed from."""

    mean: Decimal | None  # None when no item of the competency was rated
    answered: int


def competency_means(
    *,
    answers: Mapping[str, int | None],
    item_competency: Mapping[str, str],
    competencies: Iterable[str],
) -> dict[str, CompetencyMean]:
    """Each competency's mean rating from one rater's answers, in `competencies` order.

    `answers` maps item ids to a rating 1-5, or None for an item left unanswered or
    marked "not observed"; those are skipped, not counted as zero. `item_competency`
    maps item ids to competency keys. An answer to an item of a competency outside
    `competencies` is checked but not reported.

    Raises ValueError naming the item for a rating that is not a whole number 1-5
    (True is not a rating of 1) and for an answer to an item with no competency.
    """
    by_competency: dict[str, list[Decimal]] = {key: [] for key in competencies}
    for item, value in answers.items():
        if value is None:
            continue
        # bool is an int subclass; True must not pass as a rating of 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(
                f"Item {item!r}: answer {value!r} is not a whole number {RATING_MIN}-{RATING_MAX}."
            )
        if not RATING_MIN <= value <= RATING_MAX:
            raise ValueError(f"Item {item!r}: answer {value} is outside {RATING_MIN}-{RATING_MAX}.")
        if item not in item_competency:
            raise ValueError(f"Item {item!r} is not mapped to a competency.")
        competency = item_competency[item]
        if competency in by_competency:
            by_competency[competency].append(Decimal(value))
    return {
        key: CompetencyMean(mean=score_mean(values), answered=len(values))
        for key, values in by_competency.items()
    }


def margin_check(margin: float | Decimal) -> Decimal:
    """`margin` as an exact Decimal. Raises ValueError when it is not positive."""
    if margin <= 0:
        raise ValueError(f"Blind-spot margin must be positive, not {margin}.")
    return to_decimal(margin)


def self_view(
    *, self_score: Decimal | None, others_score: Decimal | None, margin: float | Decimal
) -> str:
    """How a person's own score compares with others' score of the same competency.

    Returns SELF_VIEW_OVERRATES (a blind spot) when their own score is at least `margin`
    above others', SELF_VIEW_UNDERRATES (a hidden strength) when it is at least `margin`
    below, and SELF_VIEW_ALIGNED otherwise, including when either score is missing. A
    difference exactly at the margin counts; the comparison is exact, so 3.5 - 3.2 meets
    a margin of 0.3.

    Raises ValueError for a margin that is not positive.
    """
    threshold = margin_check(margin)
    if self_score is None or others_score is None:
        return SELF_VIEW_ALIGNED
    difference = self_score - others_score
    if difference >= threshold:
        return SELF_VIEW_OVERRATES
    if -difference >= threshold:
        return SELF_VIEW_UNDERRATES
    return SELF_VIEW_ALIGNED
