import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.checks import STARTER
from assessments.models import AssessmentTemplate, KnowledgeCheckAttempt, TargetLevel
from programs import services as program_services
from programs.models import ModuleKind, ModuleProgress, ProgressStatus
from tests.conftest import actor_for


@pytest.fixture
def check_module(lnd, cohort):
    module = program_services.module_save(
        actor=lnd,
        program=cohort.program,
        title="Quiz",
        kind=ModuleKind.KNOWLEDGE_CHECK,
        release_week=1,
    )
    services.knowledge_check_publish(actor=lnd, module=module, content=STARTER)
    return module


def submit(learner_actor, enrollment, module, answers):
    return services.knowledge_check_submit(
        actor=learner_actor, enrollment=enrollment, module=module, answers=answers
    )


def test_several_right_answers_must_all_be_chosen(learner_actor, enrollment, check_module):
    subset = submit(
        learner_actor, enrollment, check_module, {"sbi-parts": ["a"], "delegation-levels": ["b"]}
    )
    assert (subset.correct, subset.total, subset.percent, subset.passed) == (1, 2, 50, False)
    superset = submit(
        learner_actor,
        enrollment,
        check_module,
        {"sbi-parts": ["a"], "delegation-levels": ["a", "b", "c"]},
    )
    assert superset.correct == 1
    exact = submit(
        learner_actor,
        enrollment,
        check_module,
        {"sbi-parts": ["a"], "delegation-levels": ["c", "b"]},
    )
    assert exact.correct == 2 and exact.passed


def test_passing_completes_the_module_and_retakes_are_kept(learner_actor, enrollment, check_module):
    submit(learner_actor, enrollment, check_module, {})
    assert not ModuleProgress.objects.filter(
        module=check_module, status=ProgressStatus.COMPLETED
    ).exists()
    submit(
        learner_actor,
        enrollment,
        check_module,
        {"sbi-parts": ["a"], "delegation-levels": ["b", "c"]},
    )
    assert ModuleProgress.objects.get(module=check_module).status == ProgressStatus.COMPLETED
    assert KnowledgeCheckAttempt.objects.count() == 2


def test_pass_mark_boundary(lnd, learner_actor, enrollment, check_module):
    services.knowledge_check_publish(
        actor=lnd, module=check_module, content=STARTER.replace("pass_mark: 70", "pass_mark: 50")
    )
    attempt = submit(learner_actor, enrollment, check_module, {"sbi-parts": ["a"]})
    assert attempt.percent == 50 and attempt.passed


def test_answers_that_are_not_options_are_refused(learner_actor, enrollment, check_module):
    with pytest.raises(ValidationError, match="not one of its options"):
        submit(learner_actor, enrollment, check_module, {"sbi-parts": ["z"]})
    assert not KnowledgeCheckAttempt.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("correct: [a]", "correct: [z]"), "is not one of the options"),
        (("correct: [a]", "correct: []"), "correct must list"),
        (("pass_mark: 70", "pass_mark: 170"), "pass_mark must be"),
        (("id: delegation-levels", "id: sbi-parts"), "used twice"),
        (("title: Knowledge check", "title: [oops"), "could not be read"),
    ],
)
def test_each_file_error_is_named(lnd, check_module, change, message):
    with pytest.raises(ValidationError) as exc:
        services.knowledge_check_publish(
            actor=lnd, module=check_module, content=STARTER.replace(*change)
        )
    assert any(message in m for m in exc.value.message_dict["content"])


def test_the_learner_takes_the_check_in_the_browser_pages(
    client, learner, enrollment, check_module, lnd_manager
):
    client.force_login(learner)
    module_page = client.get(reverse("learn:module", args=[enrollment.pk, check_module.pk]))
    assert b"Take the knowledge check" in module_page.content
    url = reverse("assessments:check_take", args=[enrollment.pk, check_module.pk])
    response = client.post(url, {"q-sbi-parts": "a", "q-delegation-levels": ["b", "c"]})
    assert b"Passed: 2 of 2 (100%)" in response.content
    client.force_login(lnd_manager)
    edit = client.get(reverse("programs:module_edit", args=[check_module.pk]))
    assert b"Edit the questions" in edit.content
    saved = client.post(
        reverse("assessments:check_edit", args=[check_module.pk]), {"content": "questions: nope"}
    )
    assert saved.status_code == 200 and b"questions must list" in saved.content


def test_knowledge_checks_and_targets_travel_with_the_program_copy(lnd, template, org):
    quiz = program_services.module_save(
        actor=lnd, program=template, title="Quiz", kind=ModuleKind.KNOWLEDGE_CHECK, release_week=2
    )
    services.knowledge_check_publish(actor=lnd, module=quiz, content=STARTER)
    services.target_set(
        actor=lnd, program=template, competency=org.competencies.get(key="delegation"), target=4.5
    )
    cohort = program_services.cohort_save(
        actor=lnd, program=template, name="Copy", start_date=org.today(), end_date=None, capacity=3
    )
    copied = cohort.program.modules.get(title="Quiz")
    assert services.knowledge_check_for(module=copied).items.count() == 2
    assert TargetLevel.objects.get(program=cohort.program).target == 4.5
    services.target_set(
        actor=lnd, program=template, competency=org.competencies.get(key="delegation"), target=2
    )
    assert TargetLevel.objects.get(program=cohort.program).target == 4.5, (
        "the template's later edits stay there"
    )


def test_a_withdrawn_learner_cannot_take_the_check(lnd, learner_actor, enrollment, check_module):
    program_services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    with pytest.raises(ValidationError, match="This enrolment has ended"):
        submit(learner_actor, enrollment, check_module, {"sbi-parts": ["a", "b", "c"]})
    assert not KnowledgeCheckAttempt.objects.exists()


def test_another_organisation_cannot_set_our_questions(check_module, outsider, other_org):
    with pytest.raises(AssessmentTemplate.DoesNotExist):
        services.knowledge_check_publish(
            actor=actor_for(outsider, other_org),
            module=check_module,
            content=STARTER.replace("title: Knowledge check", "title: Hijacked"),
        )
    assert services.knowledge_check_for(module=check_module).title != "Hijacked"
