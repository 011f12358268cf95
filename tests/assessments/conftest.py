import pytest

from assessments import services
from assessments.models import Assessment
from tests.conftest import actor_for
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
def round_open(lnd, cohort, enrollment, org):
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    return enrollment


def answer_all(actor, assessment, value_for, submit=True):
    """Answers every item of the assessment with value_for(item), and submits unless told not to."""
    answers = {item.key: value_for(item) for item in assessment.template.items.all()}
    return services.assessment_answer(
        actor=actor, assessment=assessment, answers=answers, submit=submit
    )


def submit_both(learner, line_manager, org, own_value, manager_value):
    """The learner and their line manager each submit their baseline assessment."""
    answer_all(actor_for(learner, org), Assessment.objects.get(rater=learner), own_value)
    answer_all(
        actor_for(line_manager, org), Assessment.objects.get(rater=line_manager), manager_value
    )
