"""Reads for the executive's figures: aggregates over cohorts, never one person's answers.

metrics is the top floor: it reads programs' and assessments' selectors and reuses their
rules (completion of released modules; assessments' scoring and `Results.change`), so a
figure here always agrees with the page it summarises.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from assessments.selectors import cohorts_with_assessments, score_changes_by_cohort
from people.models import Organization
from programs import completion
from programs.models import Cohort
from programs.ratings import score_mean

# The fewest learners with a baseline and an end-of-program score for a cohort's
# assessment change to be reported. Below it a mean points at the few people behind it
# and swings on one answer, so the cohort shows "too few to report" and its learners are
# left out of every total of assessment change (else subtracting would reveal it).
MIN_LEARNERS_TO_REPORT = 5


@dataclass(frozen=True)
class CohortFigures:
    cohort: Cohort
    enrolled: int  # active learners
    completion: float | None  # % of released modules completed; None before any release
    with_results: int  # active learners with a baseline and an end-of-program score
    # Mean of those learners' changes on the 1-5 scale; None when too few to report.
    change: Decimal | None
    assessed: bool  # any self or manager assessment was sent out
    finished: bool  # the cohort has ended (Cohort.has_ended)

    @property
    def reportable(self) -> bool:
        return self.with_results >= MIN_LEARNERS_TO_REPORT


@dataclass(frozen=True)
class HeadlineFigures:
    cohorts: list[CohortFigures]
    enrolled: int
    completion: float | None
    change: Decimal | None  # over the learners of reportable cohorts only
    change_learners: int
    # Cohorts with results left out of the assessment-change total, too few to report.
    too_few: list[CohortFigures]


def headline_figures(*, organization: Organization) -> HeadlineFigures:
    """Every cohort of the organisation (newest first) with its active learners, its
    completion and its assessment change, and the totals over them. A cohort with fewer
    than MIN_LEARNERS_TO_REPORT learners with results has no change and is left out of
    the change total; enrolled and completion count every cohort. Eleven queries however
    many cohorts and learners there are."""
    cohorts = list(Cohort.objects.filter(organization=organization).order_by("-start_date", "id"))
    glances = completion.cohorts_at_a_glance(organization=organization, cohorts=cohorts)
    changes = score_changes_by_cohort(cohorts=cohorts)
    assessed = cohorts_with_assessments(cohorts=cohorts)
    today = organization.today()
    rows = []
    for glance in glances:
        learner_changes = changes[glance.cohort.pk]
        reportable = len(learner_changes) >= MIN_LEARNERS_TO_REPORT
        rows.append(
            CohortFigures(
                cohort=glance.cohort,
                enrolled=glance.learners,
                completion=glance.percent,
                with_results=len(learner_changes),
                change=score_mean(learner_changes) if reportable else None,
                assessed=glance.cohort.pk in assessed,
                finished=glance.cohort.has_ended(today),
            )
        )
    completed = sum(g.completed for g in glances)
    expected = sum(g.expected for g in glances)
    reported = [c for row in rows if row.reportable for c in changes[row.cohort.pk]]
    return HeadlineFigures(
        cohorts=rows,
        enrolled=sum(row.enrolled for row in rows),
        completion=100 * completed / expected if expected else None,
        change=score_mean(reported),
        change_learners=len(reported),
        too_few=[row for row in rows if row.with_results and not row.reportable],
    )


def cohort_change_text(row: CohortFigures) -> str:
    """A cohort's assessment change in words: the change, or why there is none: "no
    assessments" (none sent out), "in progress" (still running: end results to come),
    "too few to report" (ended with fewer than MIN_LEARNERS_TO_REPORT results)."""
    if row.change is not None:
        return change_text(row.change)
    if not row.assessed:
        return "no assessments"
    if not row.finished:
        return "in progress"
    return "too few to report"


def change_text(change: Decimal) -> str:
    """A change on the 1-5 scale to one decimal, half up, signed: "+0.6", "-0.2", "0.0"."""
    rounded = change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{rounded:+}" if rounded else "0.0"
