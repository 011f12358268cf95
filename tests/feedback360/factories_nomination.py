"""Helpers for the nomination tests (fixtures: tests/feedback360/nomination/conftest.py). Cycles are made as rows here, not
through the cycles area's services, so these tests stand on the data model alone."""

import datetime

from feedback360.models import (
    CycleStatus,
    FeedbackCycle,
    FeedbackSettings,
    Questionnaire,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
)
from programs import services as program_services
from tests.factories import EmployeeFactory


def make_cycle(*, cohort, phase="pre", status=CycleStatus.SCHEDULED, opens_on=None, cap=None):
    org = cohort.organization
    questionnaire, _ = Questionnaire.objects.get_or_create(
        organization=org, key="it-leader-360", version=1, defaults={"title": "IT leader 360"}
    )
    opens_on = opens_on or org.today()
    cycle = FeedbackCycle(
        organization=org,
        cohort=cohort,
        phase=phase,
        questionnaire=questionnaire,
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=21),
        status=status,
    )
    if status != CycleStatus.SCHEDULED:
        cycle.peer_threshold = cycle.direct_report_threshold = cycle.stakeholder_threshold = 3
        cycle.overall_threshold = 4
        cycle.rater_cap = cap or 6
        cycle.reminder_interval_days = 4
        cycle.opened_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cycle.save()
    return cycle


def other_learners(lnd, cohort, count: int) -> list:
    """More learners of the cohort, each with an enrolment."""
    org = cohort.organization
    people = [
        EmployeeFactory(organization=org, full_name=f"Other learner {i}") for i in range(count)
    ]
    return program_services.enrollment_add(actor=lnd, cohort=cohort, employees=people)


def rater_row(cycle, subject, person, group=RaterGroup.PEER, status=RaterStatus.NOMINATED):
    """A rater row written directly (for arranging a state, not for testing the rules)."""
    return RaterAssignment.objects.create(
        organization=cycle.organization,
        cycle=cycle,
        subject=subject,
        group=group,
        employee=person,
        name=person.full_name,
        email=person.email.lower(),
        status=status,
    )


def settings_for(org, **values) -> FeedbackSettings:
    settings, _ = FeedbackSettings.objects.update_or_create(organization=org, defaults=values)
    return settings
