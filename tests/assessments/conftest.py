import pytest

from assessments import services
from tests.programs.conftest import (  # noqa: F401  (shared program fixtures)
    coach_user,
    cohort,
    enrollment,
    learner_actor,
    lnd,
    program,
    scenario,
    template,
)


@pytest.fixture
def round_open(lnd, cohort, enrollment, org):
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    return enrollment
