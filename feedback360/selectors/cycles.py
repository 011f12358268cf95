"""Reads for the L&D manager's 360 pages: cycles, response rates (counts only) and the
questionnaires and cohorts to choose from. Every read is filtered by the cycles rule
(feedback360.permissions.cycles), so a list and a detail never disagree."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from feedback360.models import (
    CycleStatus,
    FeedbackCycle,
    Questionnaire,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
)
from feedback360.permissions.cycles import managed_cycles
from people.permissions import Actor
from programs.models import Cohort, EnrollmentStatus

# Who has been asked: approved (about to be invited), invited or answered. Nominations
# awaiting approval and declined or removed raters are not waiting on anyone's answer.
ASKED_STATUSES = (RaterStatus.APPROVED, RaterStatus.INVITED, RaterStatus.SUBMITTED)


def _answer_counts():
    return {
        "asked_count": Count("raters", filter=Q(raters__status__in=ASKED_STATUSES)),
        "answered_count": Count("raters", filter=Q(raters__status=RaterStatus.SUBMITTED)),
    }


def cycle_list(*, actor: Actor) -> QuerySet[FeedbackCycle]:
    """The organisation's cycles for an L&D manager (none for anyone else), newest
    opening first, with cohort, questionnaire and counts of raters asked and answered."""
    return (
        FeedbackCycle.objects.filter(managed_cycles(actor).q())
        .select_related("cohort", "questionnaire")
        .annotate(**_answer_counts())
        .order_by("-opens_on", "cohort__name", "id")
    )


def cycle_get(*, actor: Actor, pk: int) -> FeedbackCycle:
    """One cycle the actor manages. Raises FeedbackCycle.DoesNotExist (a 404) for a cycle
    of another organisation, or for anyone who does not manage cycles."""
    return cycle_list(actor=actor).select_related("closed_by").get(pk=pk)


@dataclass
class LearnerRates:
    """One learner's raters in a cycle: per group, how many were asked and answered."""

    enrollment_id: int
    name: str
    asked: dict[str, int] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    declined: int = 0

    @property
    def asked_total(self) -> int:
        return sum(self.asked.values())

    @property
    def answered_total(self) -> int:
        return sum(self.answered.values())

    def cells(self) -> list[tuple[int, int]]:
        return [(self.answered.get(g, 0), self.asked.get(g, 0)) for g in RaterGroup.values]


def response_rates(*, cycle: FeedbackCycle) -> list[LearnerRates]:
    """Every active learner of the cycle's cohort with the number of raters asked and
    answered in each group, and how many declined: counts only, never who answered
    what. Two queries, whatever the number of learners and raters."""
    rates = {
        e.pk: LearnerRates(enrollment_id=e.pk, name=e.employee.full_name)
        for e in cycle.cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE)
        .select_related("employee")
        .order_by("employee__full_name", "id")
    }
    counts = (
        RaterAssignment.objects.filter(cycle=cycle, subject_id__in=list(rates))
        .values("subject_id", "group", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in counts:
        learner = rates[row["subject_id"]]
        group, status, n = row["group"], row["status"], row["n"]
        if status in ASKED_STATUSES:
            learner.asked[group] = learner.asked.get(group, 0) + n
        if status == RaterStatus.SUBMITTED:
            learner.answered[group] = learner.answered.get(group, 0) + n
        if status == RaterStatus.DECLINED:
            learner.declined += n
    return list(rates.values())


def questionnaire_choices(*, actor: Actor) -> list[Questionnaire]:
    """The newest version of each of the organisation's 360 questionnaires."""
    newest = (
        Questionnaire.objects.filter(managed_cycles(actor).q())
        .values("key")
        .annotate(latest=Max("version"))
        .order_by()
    )
    wanted = Q(pk__in=[])
    for row in newest:
        wanted |= Q(key=row["key"], version=row["latest"])
    return list(
        Questionnaire.objects.filter(managed_cycles(actor).q()).filter(wanted).order_by("title")
    )


def questionnaire_get(*, actor: Actor, pk: int) -> Questionnaire:
    return Questionnaire.objects.filter(managed_cycles(actor).q()).get(pk=pk)


def cohort_choices(*, actor: Actor) -> QuerySet[Cohort]:
    """Cohorts a cycle may be created for: the organisation's, for L&D managers."""
    return Cohort.objects.filter(managed_cycles(actor).q()).order_by("-start_date", "name")


def cohort_get(*, actor: Actor, pk: int) -> Cohort:
    return cohort_choices(actor=actor).get(pk=pk)


def cycles_to_open(*, actor: Actor, today: datetime.date) -> list[FeedbackCycle]:
    """Scheduled cycles whose opening date has come (beat has not opened them yet)."""
    return list(
        FeedbackCycle.objects.filter(
            managed_cycles(actor).q(), status=CycleStatus.SCHEDULED, opens_on__lte=today
        )
        .select_related("cohort")
        .order_by("opens_on", "id")
    )


def cycles_closing_soon(*, actor: Actor, today: datetime.date, within_days: int):
    """Open cycles closing within `within_days`, with counts of raters asked and
    answered."""
    return list(
        FeedbackCycle.objects.filter(
            managed_cycles(actor).q(),
            status=CycleStatus.OPEN,
            closes_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("cohort")
        .annotate(**_answer_counts())
        .order_by("closes_on", "id")
    )
