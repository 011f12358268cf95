"""Fixtures for the cycles area: a small questionnaire of our own (not the shipped
one), a cohort with learners, and cycles in each state."""

import datetime
from pathlib import Path

import pytest

from feedback360.models import Questionnaire, RaterAssignment, RaterGroup, RaterStatus
from feedback360.services import cycles, questionnaires
from programs import services as program_services
from tests.factories import EmployeeFactory

DATA = Path(__file__).resolve().parent / "data"
SMALL_KEY = "small-360"


def small_questionnaire(org) -> Questionnaire:
    """The test questionnaire of tests/feedback360/data, loaded into `org`."""
    questionnaires.questionnaire_library_load(organization=org, content_dir=DATA)
    return Questionnaire.objects.filter(organization=org, key=SMALL_KEY).order_by("-version")[0]


@pytest.fixture
def questionnaire(org):
    return small_questionnaire(org)


@pytest.fixture
def pre_cycle(lnd, cohort, enrollment, questionnaire, org):
    today = org.today()
    return cycles.cycle_create(
        actor=lnd,
        cohort=cohort,
        phase="pre",
        opens_on=today + datetime.timedelta(days=2),
        closes_on=today + datetime.timedelta(days=16),
        questionnaire=questionnaire,
    )


@pytest.fixture
def open_cycle(lnd, pre_cycle):
    return cycles.cycle_open(actor=lnd, cycle=pre_cycle)


def add_raters(cycle, enrollment, n: int, *, group=RaterGroup.PEER, status=RaterStatus.INVITED):
    """`n` roster raters of one learner, written directly (nomination is another area's)."""
    people = [EmployeeFactory(organization=cycle.organization) for _ in range(n)]
    return RaterAssignment.objects.bulk_create(
        RaterAssignment(
            organization=cycle.organization,
            cycle=cycle,
            subject=enrollment,
            group=group,
            employee=person,
            email=person.email,
            name=person.full_name,
            status=status,
        )
        for person in people
    )


def enrol(lnd, cohort, n: int):
    people = [EmployeeFactory(organization=cohort.organization) for _ in range(n)]
    return program_services.enrollment_add(actor=lnd, cohort=cohort, employees=people)
