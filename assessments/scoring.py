"""Scoring for leadership assessments: each competency as the learner and their line
manager rated it, ranked gaps against target levels, knowledge-check marks and a
readiness band.

Pure functions over plain values, with no database access, so services, pages, the API
and exports all score the same way and tests can check the arithmetic by hand. The rating
rules every 1-5 questionnaire shares (means per competency, rounding, the blind-spot
margin) live in programs.ratings; this module holds what is particular to assessments.
"""

from dataclasses import dataclass
from decimal import Decimal

from programs.ratings import (
    competency_means,
    margin_check,
    score_mean,
    score_round,
    self_view,
    to_decimal,
)

BAND_READY = "ready"
BAND_NEARLY = "nearly"
BAND_NOT_YET = "not_yet"
BAND_UNKNOWN = "unknown"

READY_FROM = Decimal(4)
NEARLY_FROM = Decimal(3)
# A competency mean below this is a large gap on the readiness check.
LARGE_GAP_BELOW = Decimal(3)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


# --- Competency scores and blind spots ------------------------------------------------


@dataclass(frozen=True)
class CompetencyScore:
    """One competency as the learner and their line manager rated it."""

    competency: str
    self_score: float | None
    manager_score: float | None
    combined: float | None
    self_answered: int
    manager_answered: int
    blind_spot: bool
    blind_spot_direction: str  # "" | "overrates" | "underrates"


def competency_scores(
    *,
    self_answers: dict[str, int | None],
    manager_answers: dict[str, int | None],
    item_competency: dict[str, str],
    competencies: list[str],
    margin: float = 1.0,
) -> list[CompetencyScore]:
    """One CompetencyScore per competency, in `competencies` order.

    Each view's score is the mean of that rater's answers to the competency's items
    (programs.ratings.competency_means: 1-5, one decimal, None when they answered none,
    unanswered items skipped). `combined` is the mean of the two views when both exist,
    else whichever exists. A blind spot is flagged when both views exist and differ by at
    least `margin` (programs.ratings.self_view); "overrates" means the learner rated
    themselves higher than their manager did, "underrates" lower.

    Raises ValueError naming the item for an answer outside 1-5 or to an item missing
    from `item_competency`, and for a margin that is not positive.
    """
    margin_check(margin)
    own = competency_means(
        answers=self_answers, item_competency=item_competency, competencies=competencies
    )
    manager = competency_means(
        answers=manager_answers, item_competency=item_competency, competencies=competencies
    )
    results = []
    for key in competencies:
        self_score, manager_score = own[key].mean, manager[key].mean
        combined = score_mean(score for score in (self_score, manager_score) if score is not None)
        direction = self_view(self_score=self_score, others_score=manager_score, margin=margin)
        results.append(
            CompetencyScore(
                competency=key,
                self_score=_float(self_score),
                manager_score=_float(manager_score),
                combined=_float(combined),
                self_answered=own[key].answered,
                manager_answered=manager[key].answered,
                blind_spot=bool(direction),
                blind_spot_direction=direction,
            )
        )
    return results


# --- Gaps against target levels -------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """How far a competency's score falls short of its target level."""

    competency: str
    target: float
    score: float | None
    gap: float | None  # target - score; None when not assessed
    rank: int | None  # 1 = largest gap, ties share a rank; None when not assessed


def rank_gaps(
    *, targets: dict[str, float], scores: dict[str, float | None], order: list[str]
) -> list[Gap]:
    """One Gap per competency that has a target, largest gap first.

    gap = target - score (one decimal); a score above target gives a negative gap, which
    ranks below every shortfall. Equal gaps share a rank and the next rank skips
    (1, 2, 2, 4); tied gaps are listed in the framework's `order`. Competencies with no
    score (absent from `scores` or None) come last, in `order`, with gap and rank None.

    Raises ValueError for a targeted competency missing from `order`.
    """
    position = {key: i for i, key in enumerate(order)}
    missing = [key for key in targets if key not in position]
    if missing:
        raise ValueError(f"Competencies with a target are not in the framework order: {missing}.")

    assessed: list[tuple[Decimal, str]] = []
    not_assessed: list[str] = []
    for key in sorted(targets, key=position.__getitem__):
        score = scores.get(key)
        if score is None:
            not_assessed.append(key)
        else:
            assessed.append((score_round(to_decimal(targets[key]) - to_decimal(score)), key))
    # sorted() is stable, so keys already in framework order stay so within a tie.
    assessed.sort(key=lambda pair: pair[0], reverse=True)

    results = []
    rank = 0
    previous: Decimal | None = None
    for index, (gap, key) in enumerate(assessed, start=1):
        if gap != previous:
            rank, previous = index, gap
        results.append(
            Gap(competency=key, target=targets[key], score=scores[key], gap=float(gap), rank=rank)
        )
    results.extend(
        Gap(competency=key, target=targets[key], score=None, gap=None, rank=None)
        for key in not_assessed
    )
    return results


def top_gaps(gaps: list[Gap], *, limit: int = 3) -> list[Gap]:
    """The largest positive gaps, at most `limit`, in rank order.

    Met or exceeded targets (gap <= 0) and unassessed competencies are left out. When a
    tie straddles the limit, the earlier ones in the given listing (framework order, from
    rank_gaps) are kept. Raises ValueError for a negative limit.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative, not {limit}.")
    shortfalls = [gap for gap in gaps if gap.gap is not None and gap.gap > 0]
    shortfalls.sort(key=lambda gap: gap.rank)  # stable: ties keep their listing order
    return shortfalls[:limit]


# --- Knowledge checks -----------------------------------------------------------------


@dataclass(frozen=True)
class ChecksResult:
    """A knowledge check's mark."""

    correct: int
    total: int
    percent: int  # rounded half up
    passed: bool


def knowledge_check_score(
    *, answers: dict[str, set[str]], correct: dict[str, set[str]], pass_mark: int
) -> ChecksResult:
    """The mark for a multiple-choice check where a question may have several right options.

    A question scores only when the chosen options equal the right ones exactly (no
    partial credit: a subset or a superset is wrong); an unanswered question is wrong.
    `total` is the number of questions in `correct`. The check passes when the rounded
    percent reaches `pass_mark`, so 2 of 3 (66.67 -> 67%) passes a pass mark of 67.

    Raises ValueError for a pass mark outside 0-100, a check with no questions, a
    question with no right option, or an answer to a question not in the check.
    """
    if not 0 <= pass_mark <= 100:
        raise ValueError(f"Pass mark must be 0-100, not {pass_mark}.")
    if not correct:
        raise ValueError("A knowledge check with no questions cannot be scored.")
    for question, options in correct.items():
        if not options:
            raise ValueError(f"Question {question!r} has no right option.")
    for question in answers:
        if question not in correct:
            raise ValueError(f"Question {question!r} is not part of this check.")

    right = sum(1 for question, options in correct.items() if answers.get(question) == options)
    total = len(correct)
    # Integer half-up rounding of 100 * right / total, free of float error.
    percent = (200 * right + total) // (2 * total)
    return ChecksResult(correct=right, total=total, percent=percent, passed=percent >= pass_mark)


# --- Readiness ------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """How ready a learner looks across the framework, from one set of answers."""

    per_competency: dict[str, float | None]
    overall: float | None
    band: str  # "ready" | "nearly" | "not_yet" | "unknown"
    large_gaps: list[str]


def readiness(
    *, answers: dict[str, int | None], item_competency: dict[str, str], competencies: list[str]
) -> Readiness:
    """Each competency's mean answer, their overall mean, its band and the weak spots.

    `per_competency` holds every competency in `competencies` order (None when no item
    was answered); `overall` is the mean of the competency means that exist, so each
    competency weighs the same however many items it has. The band is "ready" from 4,
    "nearly" from 3, "not_yet" below 3 and "unknown" with nothing answered. `large_gaps`
    lists the competencies whose mean is below 3, in `competencies` order.

    Raises ValueError naming the item for an answer outside 1-5 or to an item missing
    from `item_competency`.
    """
    means = {
        key: result.mean
        for key, result in competency_means(
            answers=answers, item_competency=item_competency, competencies=competencies
        ).items()
    }
    overall = score_mean(mean for mean in means.values() if mean is not None)
    if overall is None:
        band = BAND_UNKNOWN
    elif overall >= READY_FROM:
        band = BAND_READY
    elif overall >= NEARLY_FROM:
        band = BAND_NEARLY
    else:
        band = BAND_NOT_YET
    return Readiness(
        per_competency={key: _float(mean) for key, mean in means.items()},
        overall=_float(overall),
        band=band,
        large_gaps=[
            key for key, mean in means.items() if mean is not None and mean < LARGE_GAP_BELOW
        ],
    )
