from tests.assessments.conftest import (  # noqa: F401  (shared program and assessment fixtures)
    coach_user,
    cohort,
    enrollment,
    learner_actor,
    lnd,
    program,
    round_open,
    scenario,
    template,
)
