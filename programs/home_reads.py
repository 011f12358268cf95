"""Reads for the L&D manager's home page: what is waiting for them in programs, and how
far a new organisation has got with setting up.

Kept beside selectors.py (already past 500 lines). Each read is one query however many
cohorts or files there are, and is scoped to the organisation.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from people.models import Organization
from programs.models import (
    Cohort,
    EnrollmentImport,
    EnrollmentImportStatus,
    EnrollmentStatus,
    FrameworkReview,
    Program,
)

# A cohort starting within this many days (today included) is on the L&D manager's list.
COHORT_SOON_DAYS = 14


def enrollment_imports_awaiting(*, organization: Organization) -> QuerySet[EnrollmentImport]:
    """Enrolment files checked without problems and not yet enrolled or discarded, oldest
    first, with their cohort."""
    return (
        EnrollmentImport.objects.filter(
            cohort__organization=organization, status=EnrollmentImportStatus.PREVIEW
        )
        .select_related("cohort")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class CohortReadiness:
    """A cohort about to start and what it still lacks, in words ("no learners")."""

    cohort: Cohort
    learners: int
    missing: list[str]


def cohorts_starting_soon(*, organization: Organization) -> list[CohortReadiness]:
    """Cohorts starting between today and COHORT_SOON_DAYS from now (in the organisation's
    time zone), soonest first, each with what it lacks: learners, a coach, or a coach for
    some of its learners. One query."""
    today = organization.today()
    active = Q(enrollments__status=EnrollmentStatus.ACTIVE)
    cohorts = (
        Cohort.objects.filter(
            organization=organization,
            start_date__gte=today,
            start_date__lte=today + datetime.timedelta(days=COHORT_SOON_DAYS),
        )
        .annotate(
            learners=Count("enrollments", filter=active, distinct=True),
            uncoached=Count(
                "enrollments", filter=active & Q(enrollments__coach__isnull=True), distinct=True
            ),
            coach_count=Count("coaches", distinct=True),
        )
        .order_by("start_date", "name", "id")
    )
    out = []
    for cohort in cohorts:
        missing = []
        if not cohort.learners:
            missing.append("no learners yet")
        if not cohort.coach_count:
            missing.append("no coach")
        elif cohort.uncoached:
            missing.append(
                f"{cohort.uncoached} learner{'s' if cohort.uncoached != 1 else ''} without a coach"
            )
        out.append(CohortReadiness(cohort=cohort, learners=cohort.learners, missing=missing))
    return out


def framework_review(*, organization: Organization) -> FrameworkReview | None:
    """When the competency framework was last reviewed, and by whom; None if never."""
    return (
        FrameworkReview.objects.filter(organization=organization)
        .select_related("reviewed_by")
        .first()
    )


def has_program(*, organization: Organization) -> bool:
    return Program.objects.filter(organization=organization).exists()


def has_cohort(*, organization: Organization) -> bool:
    return Cohort.objects.filter(organization=organization).exists()
