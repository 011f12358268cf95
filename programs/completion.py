"""Selectors for completion over time: a cohort's weeks and the cohorts at a glance.

Kept beside selectors.py (already past 500 lines) rather than inside it. Each read
makes the same number of queries however many learners, modules or cohorts there are.
"""

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

from people.models import Organization
from programs.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Module,
    ModuleProgress,
    ProgressStatus,
)
from programs.selectors import OVERDUE_AFTER


@dataclass(frozen=True)
class WeekCompletion:
    week: int
    percent: float | None  # None for a week still to come or with nothing released


@dataclass(frozen=True)
class CohortGlance:
    cohort: Cohort
    learners: int
    percent: float | None  # of released modules completed; None before anything is released
    behind: int  # learners with a module overdue (a week after its release)
    # The counts behind `percent`, so figures over several cohorts add up: modules
    # completed, and modules released times active learners.
    completed: int = 0
    expected: int = 0


def _completions(cohort_ids: list[int], zone: zoneinfo.ZoneInfo) -> dict[int, dict]:
    """Per active enrolment: its cohort, and each completed module's local completion date.
    Two queries."""
    enrollments: dict[int, dict] = {
        pk: {"cohort": cohort_id, "done": {}}
        for pk, cohort_id in Enrollment.objects.filter(
            cohort_id__in=cohort_ids, status=EnrollmentStatus.ACTIVE
        ).values_list("pk", "cohort_id")
    }
    for enrollment_id, module_id, completed_at in ModuleProgress.objects.filter(
        enrollment_id__in=list(enrollments), status=ProgressStatus.COMPLETED
    ).values_list("enrollment_id", "module_id", "completed_at"):
        # A completion without a time (older rows) counts from the start.
        day = completed_at.astimezone(zone).date() if completed_at else datetime.date.min
        enrollments[enrollment_id]["done"][module_id] = day
    return enrollments


def cohort_weekly_completion(*, cohort: Cohort) -> list[WeekCompletion]:
    """For each week of the cohort's program, the share (0-100) of the modules released
    by then that its active learners had completed by the week's end, by completion date
    in the organisation's time zone. Weeks that have not begun are None. Three queries
    (four if the cohort came without its organisation and program)."""
    organization = cohort.organization
    today = organization.today()
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    modules = list(
        Module.objects.filter(program_id=cohort.program_id).values_list("pk", "release_week")
    )
    learners = _completions([cohort.pk], zone)
    out = []
    for week in range(1, cohort.program.duration_weeks + 1):
        starts = cohort.week_starts(week)
        released = [pk for pk, release in modules if release <= week]
        if starts > today or not released or not learners:
            out.append(WeekCompletion(week=week, percent=None))
            continue
        ends = starts + datetime.timedelta(days=7)
        done = sum(
            1
            for learner in learners.values()
            for pk in released
            if pk in learner["done"] and learner["done"][pk] < ends
        )
        out.append(WeekCompletion(week=week, percent=100 * done / (len(released) * len(learners))))
    return out


def cohorts_at_a_glance(*, organization: Organization, cohorts: list[Cohort]) -> list[CohortGlance]:
    """For each cohort (of this organisation, with its program loaded), its active
    learners, the share (0-100) of released modules they have completed, and how many
    have a module overdue. Three queries for any number of cohorts."""
    cohorts = [c for c in cohorts if c.organization_id == organization.pk]
    today = organization.today()
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    modules: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, program_id, release in Module.objects.filter(
        program_id__in={c.program_id for c in cohorts}
    ).values_list("pk", "program_id", "release_week"):
        modules[program_id].append((pk, release))
    learners = _completions([c.pk for c in cohorts], zone)
    by_cohort: dict[int, list[dict]] = defaultdict(list)
    for learner in learners.values():
        by_cohort[learner["cohort"]].append(learner)
    out = []
    for cohort in cohorts:
        released = [
            (pk, cohort.week_starts(release))
            for pk, release in modules[cohort.program_id]
            if cohort.week_starts(release) <= today
        ]
        members = by_cohort[cohort.pk]
        done = sum(1 for m in members for pk, _ in released if pk in m["done"])
        behind = sum(
            1
            for m in members
            if any(pk not in m["done"] and today >= on + OVERDUE_AFTER for pk, on in released)
        )
        total = len(released) * len(members)
        out.append(
            CohortGlance(
                cohort=cohort,
                learners=len(members),
                percent=100 * done / total if total else None,
                behind=behind,
                completed=done,
                expected=total,
            )
        )
    return out
