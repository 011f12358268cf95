from tests.programs.conftest import (  # noqa: F401  (shared program fixtures)
    coach_user,
    cohort,
    enrollment,
    lnd,
    peer_enrollment,
    program,
    scenario,
    template,
)
