import datetime
import functools

import pytest

from programs import scenario_format, services
from programs.models import Audience, Cohort, ModuleKind, Program
from tests.conftest import actor_for

SMALL_SCENARIO = """
key: small-talk
title: A small talk
summary: Two steps, three endings.
competencies: [feedback_delivery, psychological_safety]
estimated_minutes: 5
start: open
steps:
  - id: open
    situation: Sam's pull request breaks the build in front of the team.
    choices:
      - text: Ask Sam privately what happened.
        feedback: Private and curious.
        next: private
        scores: {feedback_delivery: 2, psychological_safety: 1}
      - text: Point it out in the team channel.
        feedback: Public blame.
        ending: blame
        scores: {psychological_safety: -3}
  - id: private
    situation: Sam explains the flaky test.
    choices:
      - text: Agree on a fix together.
        feedback: Shared ownership.
        ending: good
        scores: {feedback_delivery: 1}
      - text: Tell Sam to fix it tonight.
        feedback: Fixes the symptom.
        ending: meh
        scores: {}
endings:
  - id: good
    title: Fixed together
    outcome: strong
    text: The fix lands and Sam adds a test.
  - id: meh
    title: Fixed alone
    outcome: mixed
    text: It works, but Sam is wary.
  - id: blame
    title: Blame
    outcome: weak
    text: Sam stops opening PRs early.
"""


@pytest.fixture
def lnd(lnd_manager, org):
    services.competencies_seed(organization=org)
    return actor_for(lnd_manager, org)


@functools.cache
def small_scenario_spec() -> scenario_format.ScenarioSpec:
    # Parsed once per run: most tests only need the scenario to exist, and the YAML
    # import itself is tested in test_scenarios.py.
    return scenario_format.validate(
        scenario_format.parse_yaml(SMALL_SCENARIO),
        known_competencies={"feedback_delivery", "psychological_safety"},
    )


@pytest.fixture
def scenario(lnd):
    scenario, _ = services.scenario_publish(
        organization=lnd.organization, spec=small_scenario_spec(), user=lnd.user
    )
    return scenario


@pytest.fixture
def template(lnd, scenario):
    program = services.program_save(
        actor=lnd, title="New managers", audience=Audience.NEW_MANAGERS, duration_weeks=12
    )
    services.module_save(
        actor=lnd,
        program=program,
        title="Welcome",
        kind=ModuleKind.LESSON,
        release_week=1,
        body="# Hello\n\nRead this.",
    )
    services.module_save(
        actor=lnd,
        program=program,
        title="Feedback role-play",
        kind=ModuleKind.SCENARIO,
        release_week=1,
        scenario=scenario,
    )
    services.module_save(
        actor=lnd,
        program=program,
        title="What did you notice?",
        kind=ModuleKind.REFLECTION,
        release_week=2,
        body="Reflect on your week.",
    )
    services.module_save(
        actor=lnd,
        program=program,
        title="Later lesson",
        kind=ModuleKind.LESSON,
        release_week=10,
        body="Later.",
    )
    return program


@pytest.fixture
def coach_user(second_coach):
    return second_coach


@pytest.fixture
def cohort(lnd, template, coach, coach_user, org) -> Cohort:
    return services.cohort_save(
        actor=lnd,
        program=template,
        name="Spring cohort",
        start_date=org.today() - datetime.timedelta(days=10),
        end_date=None,
        capacity=10,
        coach_ids=[coach.pk, coach_user.pk],
    )


@pytest.fixture
def program(cohort) -> Program:
    """The cohort's own copy of the template: what its learners work through."""
    return cohort.program


@pytest.fixture
def enrollment(lnd, cohort, learner_employee):
    [enrollment] = services.enrollment_add(actor=lnd, cohort=cohort, employees=[learner_employee])
    return enrollment


@pytest.fixture
def peer_enrollment(lnd, cohort, enrollment, peer_learner_employee):
    """Enrolled after the learner, so the least-loaded rule gives them the second coach."""
    [peer] = services.enrollment_add(actor=lnd, cohort=cohort, employees=[peer_learner_employee])
    return peer


@pytest.fixture
def learner_actor(learner, org):
    return actor_for(learner, org)


def module_named(program: Program, title: str):
    return program.modules.get(title=title)
