from tests.assessments.conftest import round_open  # noqa: F401  (shared assessment fixture)
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
