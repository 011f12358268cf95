"""Shared fixtures of the 360 tests: the program fixtures, and each area's own."""

from tests.feedback360.factories_cycles import (  # noqa: F401  (cycles fixtures)
    open_cycle,
    pre_cycle,
    questionnaire,
)
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
