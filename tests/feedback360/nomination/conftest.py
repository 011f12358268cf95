"""Fixtures of the nomination tests: the programs fixtures (cohort, enrolments) and a
cycle written as a row."""

import pytest

from tests.conftest import actor_for
from tests.factories import EmployeeFactory
from tests.feedback360.factories_nomination import make_cycle
from tests.programs.conftest import (  # noqa: F401  (shared program fixtures)
    coach_user,
    cohort,
    enrollment,
    learner_actor,
    lnd,
    peer_enrollment,
    program,
    scenario,
    template,
)


@pytest.fixture
def cycle(cohort):
    """The cohort's pre cycle, scheduled (nomination happens before it opens)."""
    return make_cycle(cohort=cohort)


@pytest.fixture
def manager_actor(line_manager, org):
    return actor_for(line_manager, org)


@pytest.fixture
def colleagues(org, team):
    """Eight people on the roster, none of them anyone's manager here."""
    return [
        EmployeeFactory(organization=org, team=team, full_name=f"Colleague {i}")
        for i in range(1, 9)
    ]
