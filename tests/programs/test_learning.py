import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs import selectors, services
from programs.models import AttemptStatus, Module, ModuleProgress, ProgressStatus, ScenarioAttempt
from tests.programs.conftest import SMALL_SCENARIO, module_named


@pytest.fixture
def scenario_module(program):
    return module_named(program, "Feedback role-play")


def test_a_scenario_is_played_to_an_ending_and_scored(learner_actor, enrollment, scenario_module):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    attempt = services.attempt_choose(
        actor=learner_actor, attempt=attempt, step_id="open", choice=0
    )
    assert attempt.current_step == "private"
    attempt = services.attempt_choose(
        actor=learner_actor, attempt=attempt, step_id="private", choice=0
    )
    assert attempt.status == AttemptStatus.FINISHED and attempt.ending == "good"
    assert attempt.scores == {"feedback_delivery": 3, "psychological_safety": 1}
    assert attempt.total_score == 4
    assert attempt.path == [{"step": "open", "choice": 0}, {"step": "private", "choice": 0}]
    progress = ModuleProgress.objects.get(enrollment=enrollment, module=scenario_module)
    assert progress.status == ProgressStatus.COMPLETED


def test_the_ending_and_the_module_show_the_score_on_the_scenario_scale(
    client, learner, learner_actor, enrollment, scenario_module
):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    services.attempt_choose(actor=learner_actor, attempt=attempt, step_id="open", choice=1)
    client.force_login(learner)
    ending = client.get(reverse("learn:attempt", args=[attempt.pk])).content.decode()
    assert "Total score: <strong>-3</strong> on a scale of -3 to 4" in ending
    module = client.get(
        reverse("learn:module", args=[enrollment.pk, scenario_module.pk])
    ).content.decode()
    assert "Best score: <strong>-3</strong> on a scale of -3 to 4" in module


def test_leaving_midway_resumes_where_you_were(learner_actor, enrollment, scenario_module):
    first = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    services.attempt_choose(actor=learner_actor, attempt=first, step_id="open", choice=0)
    resumed = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    assert resumed.pk == first.pk and resumed.current_step == "private"


def test_a_stale_form_is_not_applied_twice(learner_actor, enrollment, scenario_module):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    services.attempt_choose(actor=learner_actor, attempt=attempt, step_id="open", choice=0)
    with pytest.raises(ValidationError, match="already answered"):
        services.attempt_choose(actor=learner_actor, attempt=attempt, step_id="open", choice=1)
    attempt.refresh_from_db()
    assert len(attempt.path) == 1


@pytest.mark.parametrize("choice", [-1, 2, 99])
def test_a_choice_that_does_not_exist_is_refused(
    learner_actor, enrollment, scenario_module, choice
):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    with pytest.raises(ValidationError, match="Choose one of the options"):
        services.attempt_choose(actor=learner_actor, attempt=attempt, step_id="open", choice=choice)


def test_replays_keep_every_attempt_with_best_and_latest(
    learner_actor, enrollment, scenario_module
):
    def play(choices):
        attempt = services.attempt_start(
            actor=learner_actor, enrollment=enrollment, module=scenario_module, replay=True
        )
        for step, choice in choices:
            attempt = services.attempt_choose(
                actor=learner_actor, attempt=attempt, step_id=step, choice=choice
            )
        return attempt

    best = play([("open", 0), ("private", 0)])
    latest = play([("open", 1)])
    summary = selectors.attempt_summary(enrollment=enrollment, module=scenario_module)
    assert len(summary["attempts"]) == 2
    assert summary["best"].pk == best.pk and summary["latest"].pk == latest.pk


def test_editing_a_scenario_never_rewrites_past_attempts(
    lnd, learner_actor, enrollment, scenario_module
):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    old_version = attempt.version
    services.scenario_import(
        actor=lnd, content=SMALL_SCENARIO.replace("Sam explains", "Sam describes")
    )
    attempt = services.attempt_choose(
        actor=learner_actor, attempt=attempt, step_id="open", choice=0
    )
    assert attempt.version == old_version
    assert "Sam explains" in str(attempt.version.definition)
    fresh = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module, replay=True
    )
    assert fresh.version.number == 2


def test_modules_not_yet_released_cannot_be_opened(learner_actor, enrollment, program):
    later = module_named(program, "Later lesson")
    with pytest.raises(ValidationError, match="not released"):
        services.module_complete(actor=learner_actor, enrollment=enrollment, module=later)


def test_learner_plan_shows_this_week_overdue_and_progress(learner_actor, enrollment, program):
    plan = selectors.learner_plan(enrollment=enrollment)
    # The cohort started ten days ago: week 2. Week 1 modules are overdue, week 2 is this week.
    assert plan.week == 2
    assert {s.module.title for s in plan.overdue} == {"Welcome", "Feedback role-play"}
    assert [s.module.title for s in plan.this_week] == ["What did you notice?"]
    assert [s.module.title for s in plan.upcoming] == ["Later lesson"]
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=module_named(program, "Welcome")
    )
    plan = selectors.learner_plan(enrollment=enrollment)
    assert plan.completed == 1 and plan.percent == 25


def test_rating_needs_a_finished_module_and_a_1_to_5_score(learner_actor, enrollment, program):
    welcome = module_named(program, "Welcome")
    with pytest.raises(ValidationError, match="Finish the module"):
        services.module_rate(actor=learner_actor, enrollment=enrollment, module=welcome, rating=4)
    services.module_complete(actor=learner_actor, enrollment=enrollment, module=welcome)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        services.module_rate(actor=learner_actor, enrollment=enrollment, module=welcome, rating=6)
    services.module_rate(
        actor=learner_actor, enrollment=enrollment, module=welcome, rating=5, comment="Useful"
    )
    assert ModuleProgress.objects.get(module=welcome).rating == 5


def test_sbi_entry_with_faults_is_not_saved_until_fixed_or_confirmed(learner_actor, enrollment):
    bad = dict(
        situation="Earlier.", behavior="You were lazy about the tests.", impact="It was bad."
    )
    entry, flags = services.sbi_entry_save(actor=learner_actor, enrollment=enrollment, **bad)
    assert entry is None
    assert {f.code for f in flags} >= {"judgement_word", "impact_vague"}
    good = dict(
        situation="In Tuesday's sprint review on Zoom",
        behavior="You demoed the checkout flow without the failing payment test mentioned in the PR.",
        impact="The product owner signed off a feature we then had to roll back on Wednesday, which cost the team a day.",
    )
    entry, flags = services.sbi_entry_save(actor=learner_actor, enrollment=enrollment, **good)
    assert entry is not None and flags == []
    forced, _ = services.sbi_entry_save(
        actor=learner_actor,
        enrollment=enrollment,
        save_anyway=True,
        situation=good["situation"],
        behavior=good["behavior"],
        impact="It was bad.",
    )
    assert forced is not None


def test_delegation_decision_gets_a_recommendation_and_an_outcome(learner_actor, enrollment):
    decision = services.delegation_decision_log(
        actor=learner_actor,
        enrollment=enrollment,
        task="Own the release notes",
        delegate_name="Priya",
        complexity=1,
        readiness=3,
    )
    assert decision.recommended_level == "delegate" and decision.chosen_level == "delegate"
    services.delegation_outcome_record(
        actor=learner_actor, decision=decision, outcome="Done early."
    )
    decision.refresh_from_db()
    assert decision.outcome == "Done early." and decision.outcome_recorded_at


@pytest.mark.parametrize(("complexity", "readiness"), [(0, 1), (4, 2), (2, 9)])
def test_delegation_out_of_range_is_a_field_error(learner_actor, enrollment, complexity, readiness):
    with pytest.raises(ValidationError) as exc:
        services.delegation_decision_log(
            actor=learner_actor,
            enrollment=enrollment,
            task="t",
            delegate_name="x",
            complexity=complexity,
            readiness=readiness,
        )
    assert "complexity" in exc.value.message_dict


def test_someone_else_cannot_play_your_attempt(lnd, enrollment, scenario_module, learner_actor):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    with pytest.raises(ScenarioAttempt.enrollment.field.related_model.DoesNotExist):
        services.attempt_choose(actor=lnd, attempt=attempt, step_id="open", choice=0)


def test_reflection_saved_and_module_completed(learner_actor, enrollment, program):
    reflection_module = module_named(program, "What did you notice?")
    services.reflection_save(
        actor=learner_actor, enrollment=enrollment, module=reflection_module, text="I interrupt."
    )
    assert ModuleProgress.objects.get(module=reflection_module).status == ProgressStatus.COMPLETED
    with pytest.raises(ValidationError):
        services.reflection_save(
            actor=learner_actor, enrollment=enrollment, module=reflection_module, text="  "
        )


def test_cohort_started_in_the_past_backfills_weeks(lnd, program, org):
    cohort = services.cohort_save(
        actor=lnd,
        program=program,
        name="Backfill",
        start_date=datetime.date(2024, 1, 8),
        end_date=None,
        capacity=3,
    )
    assert cohort.end_date == datetime.date(2024, 4, 1)


def test_a_withdrawn_learner_gets_a_message_not_a_500(client, lnd, learner, enrollment, program):
    services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    client.force_login(learner)
    module = module_named(program, "What did you notice?")
    response = client.post(
        reverse("learn:module", args=[enrollment.pk, module.pk]), {"text": "late"}
    )
    assert response.status_code == 200 and b"has ended" in response.content
    response = client.post(
        reverse("learn:practice", args=[enrollment.pk]),
        {"sbi-situation": "a", "sbi-behavior": "b", "sbi-impact": "c"},
    )
    assert response.status_code == 200 and b"has ended" in response.content
    assert not enrollment.reflections.exists() and not enrollment.sbi_entries.exists()


def test_learners_cannot_mark_scenarios_or_sessions_done(learner_actor, enrollment, program):
    with pytest.raises(ValidationError, match="completed by doing it"):
        services.module_mark_done(
            actor=learner_actor,
            enrollment=enrollment,
            module=module_named(program, "Feedback role-play"),
        )
    services.module_mark_done(
        actor=learner_actor, enrollment=enrollment, module=module_named(program, "Welcome")
    )
    done = ModuleProgress.objects.filter(enrollment=enrollment, status=ProgressStatus.COMPLETED)
    assert [p.module.title for p in done] == ["Welcome"]


NEW_VERSION = (
    SMALL_SCENARIO.replace(
        "scores: {feedback_delivery: 2, psychological_safety: 1}", "scores: {feedback_delivery: 3}"
    )
    .replace("Private and curious.", "Private, and now rewritten.")
    .replace("Sam explains the flaky test.", "Sam describes a different test.")
)


def test_a_choice_is_scored_by_the_version_the_attempt_started_on(
    lnd, learner_actor, enrollment, scenario_module
):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    services.scenario_import(actor=lnd, content=NEW_VERSION)
    attempt = services.attempt_choose(
        actor=learner_actor, attempt=attempt, step_id="open", choice=0
    )
    assert attempt.scores == {"feedback_delivery": 2, "psychological_safety": 1}
    fresh = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module, replay=True
    )
    fresh = services.attempt_choose(actor=learner_actor, attempt=fresh, step_id="open", choice=0)
    assert fresh.scores == {"feedback_delivery": 3}


def test_the_attempt_page_shows_the_version_the_attempt_started_on(
    client, lnd, learner, learner_actor, enrollment, scenario_module
):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    services.scenario_import(actor=lnd, content=NEW_VERSION)
    client.force_login(learner)
    client.post(reverse("learn:attempt", args=[attempt.pk]), {"step": "open", "choice": "0"})
    page = client.get(reverse("learn:attempt", args=[attempt.pk])).content.decode()
    assert "Private and curious." in page and "Sam explains the flaky test." in page
    assert "rewritten" not in page and "Sam describes" not in page


def test_a_finished_attempt_takes_no_more_choices(learner_actor, enrollment, scenario_module):
    attempt = services.attempt_start(
        actor=learner_actor, enrollment=enrollment, module=scenario_module
    )
    attempt = services.attempt_choose(
        actor=learner_actor, attempt=attempt, step_id="open", choice=1
    )
    assert attempt.status == AttemptStatus.FINISHED
    with pytest.raises(ValidationError, match="This attempt is finished"):
        services.attempt_choose(actor=learner_actor, attempt=attempt, step_id="", choice=0)
    attempt.refresh_from_db()
    assert attempt.ending == "blame" and len(attempt.path) == 1


def test_a_module_opens_on_the_first_day_of_its_week(learner_actor, enrollment, org):
    cohort = enrollment.cohort
    cohort.start_date = org.today() - datetime.timedelta(weeks=1)
    cohort.save(update_fields=["start_date"])
    week_two = module_named(cohort.program, "What did you notice?")
    assert cohort.week_starts(week_two.release_week) == org.today()
    services.reflection_save(
        actor=learner_actor, enrollment=enrollment, module=week_two, text="Day one."
    )
    assert enrollment.reflections.get().text == "Day one."


def test_a_module_of_another_program_cannot_be_worked_on(learner_actor, enrollment, template):
    theirs = module_named(template, "Welcome")  # the template's, not the cohort's copy
    with pytest.raises(Module.DoesNotExist):
        services.module_mark_done(actor=learner_actor, enrollment=enrollment, module=theirs)
    assert not ModuleProgress.objects.exists()


def test_a_started_module_cannot_be_rated_until_it_is_finished(learner_actor, enrollment, program):
    welcome = module_named(program, "Welcome")
    services.module_start(actor=learner_actor, enrollment=enrollment, module=welcome)
    with pytest.raises(ValidationError, match="Finish the module before rating it"):
        services.module_rate(actor=learner_actor, enrollment=enrollment, module=welcome, rating=4)
    assert ModuleProgress.objects.get(module=welcome).rating is None
