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
