import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Role
from people.templatetags.lodestar_dates import EN_DASH
from programs import selectors, services
from programs.models import Cohort, Enrollment, EnrollmentStatus, Module, ModuleKind, ModuleProgress
from tests.conftest import actor_for
from tests.factories import EmployeeFactory
from tests.programs.conftest import SMALL_SCENARIO, module_named


def test_a_cohort_that_ends_before_it_starts_is_refused(lnd, program):
    with pytest.raises(ValidationError) as exc:
        services.cohort_save(
            actor=lnd,
            program=program,
            name="Backwards",
            capacity=5,
            start_date=datetime.date(2026, 3, 1),
            end_date=datetime.date(2026, 2, 1),
        )
    assert "end after it starts" in exc.value.message_dict["end_date"][0]


def test_a_module_released_after_the_program_ends_is_refused(lnd, program):
    with pytest.raises(ValidationError) as exc:
        services.module_save(
            actor=lnd,
            program=program,
            title="Too late",
            kind=ModuleKind.LESSON,
            release_week=13,
            body="x",
        )
    assert "outside the program" in exc.value.message_dict["release_week"][0]


def test_shortening_a_program_below_its_modules_is_refused(lnd, program):
    with pytest.raises(ValidationError) as exc:
        services.program_save(
            actor=lnd,
            program=program,
            title=program.title,
            audience=program.audience,
            duration_weeks=4,
        )
    assert "Later lesson" in exc.value.message_dict["duration_weeks"][0]


def test_enrolment_assigns_each_learner_one_coach_evenly_and_grants_the_learner_role(
    lnd, cohort, org, coach, coach_user
):
    people = EmployeeFactory.create_batch(4, organization=org)
    enrollments = services.enrollment_add(actor=lnd, cohort=cohort, employees=people)
    coaches = [e.coach_id for e in enrollments]
    assert sorted(coaches) == sorted([coach.pk, coach_user.pk] * 2)
    for person in people:
        person.refresh_from_db()
        assert person.user.memberships.filter(organization=org, role=Role.LEARNER).exists()


def test_enrolment_over_capacity_enrols_nobody(lnd, cohort, org):
    people = EmployeeFactory.create_batch(11, organization=org)
    with pytest.raises(ValidationError) as refused:
        services.enrollment_add(actor=lnd, cohort=cohort, employees=people)
    assert refused.value.message_dict == {"places": ["10 places left; you chose 11."]}
    assert not Enrollment.objects.exists()


def test_over_capacity_counts_places_and_names_everyone_with_a_problem(
    lnd, cohort, org, enrollment, learner_employee
):
    services.enrollment_add(actor=lnd, cohort=cohort, employees=[EmployeeFactory(organization=org)])
    gone = EmployeeFactory(
        organization=org,
        full_name="Gone Person",
        termination_date=datetime.date(2024, 1, 1),
        termination_reason="voluntary",
    )
    fresh = EmployeeFactory.create_batch(9, organization=org)
    with pytest.raises(ValidationError) as refused:
        services.enrollment_add(
            actor=lnd, cohort=cohort, employees=[*fresh, gone, learner_employee]
        )
    assert refused.value.message_dict == {
        "places": ["8 places left; you chose 11."],
        "learners": [
            "Gone Person has left the organisation.",
            f"{learner_employee.full_name} is already enrolled in this cohort.",
        ],
    }
    assert Enrollment.objects.filter(cohort=cohort).count() == 2


def test_terminated_and_already_enrolled_people_are_refused(
    lnd, cohort, org, enrollment, learner_employee
):
    gone = EmployeeFactory(
        organization=org, termination_date=datetime.date(2024, 1, 1), termination_reason="voluntary"
    )
    with pytest.raises(ValidationError) as exc:
        services.enrollment_add(actor=lnd, cohort=cohort, employees=[gone, learner_employee])
    text = " ".join(exc.value.messages)
    assert "has left the organisation" in text and "already enrolled" in text


def test_moving_a_learner_keeps_their_history(lnd, cohort, program, enrollment, learner_actor):
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=program.modules.get(title="Welcome")
    )
    other = services.cohort_save(
        actor=lnd,
        program=program,
        name="Autumn",
        start_date=cohort.start_date,
        end_date=None,
        capacity=5,
    )
    new = services.enrollment_move(actor=lnd, enrollment=enrollment, to_cohort=other)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.MOVED and enrollment.moved_to == new
    assert enrollment.progress.count() == 1, "the old enrolment keeps what was done"
    services.enrollment_withdraw(actor=lnd, enrollment=new)
    new.refresh_from_db()
    assert new.status == EnrollmentStatus.WITHDRAWN and new.ended_at


# Session, user, memberships, own record, cohort, coaches, modules, enrolments, progress,
# best scores, the move-to cohort list, the nav, and the completion chart's modules, enrolments
# and completions: the same for 5 learners as for 200.
GRID_QUERIES = 15


@pytest.mark.parametrize("learners", [5, 200])
def test_progress_grid_queries_do_not_grow_with_learners(
    client, lnd_manager, lnd, cohort, org, learners, django_assert_num_queries
):
    cohort.capacity = 500
    cohort.save()
    people = EmployeeFactory.create_batch(learners, organization=org)
    Enrollment.objects.bulk_create(Enrollment(cohort=cohort, employee=p) for p in people)
    client.force_login(lnd_manager)
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(reverse("programs:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 200
    assert response.content.count(b'class="row-error"') == learners, "everyone is behind on week 1"


def test_progress_grid_selector_is_four_queries(cohort, org):
    Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, employee=p)
        for p in EmployeeFactory.create_batch(7, organization=org)
    )
    with CaptureQueriesContext(connection) as ctx:
        _modules, rows = selectors.progress_grid(cohort=cohort)
    assert len(ctx.captured_queries) == 4 and len(rows) == 7


def test_progress_csv_escapes_formula_cells(client, lnd_manager, lnd, cohort, org):
    evil = EmployeeFactory(organization=org, full_name='=HYPERLINK("http://x")')
    services.enrollment_add(actor=lnd, cohort=cohort, employees=[evil])
    client.force_login(lnd_manager)
    body = client.get(reverse("programs:cohort_progress_csv", args=[cohort.pk])).content.decode()
    assert "'=HYPERLINK" in body


@pytest.mark.parametrize("size", [3, 40])
def test_enrolling_a_cohort_takes_the_same_queries_for_3_or_40(
    lnd,
    program,
    org,
    size,
    django_assert_max_num_queries,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    cohort = services.cohort_save(
        actor=lnd,
        program=program,
        name=f"Big {size}",
        start_date=datetime.date(2026, 1, 5),
        end_date=None,
        capacity=100,
    )
    people = EmployeeFactory.create_batch(size, organization=org)
    # The enrolment itself; each invitation is then sent by its own task in the worker.
    with django_capture_on_commit_callbacks() as after_commit, django_assert_max_num_queries(25):
        services.enrollment_add(actor=lnd, cohort=cohort, employees=people)
    for callback in after_commit:
        callback()
    enrolled = Enrollment.objects.filter(cohort=cohort).select_related("employee__user")
    assert all(e.employee.user.memberships.filter(role=Role.LEARNER).exists() for e in enrolled)
    assert len(mailoutbox) == size, "each new learner is invited once"


def test_a_moved_learner_keeps_their_practice_log_in_view(
    client, lnd, template, cohort, enrollment, learner, learner_actor, coach
):
    services.sbi_entry_save(
        actor=learner_actor,
        enrollment=enrollment,
        situation="In Monday's standup on Zoom",
        behavior="You shared the incident timeline before anyone asked.",
        impact="The team fixed the alert rule the same afternoon and nobody was paged again.",
    )
    other = services.cohort_save(
        actor=lnd,
        program=template,
        name="Autumn",
        start_date=cohort.start_date,
        end_date=None,
        capacity=5,
        coach_ids=[coach.pk],
    )
    new = services.enrollment_move(actor=lnd, enrollment=enrollment, to_cohort=other)
    client.force_login(learner)
    page = client.get(reverse("learn:practice", args=[new.pk]))
    assert b"shared the incident timeline" in page.content
    client.force_login(new.coach)
    assert (
        b"shared the incident timeline"
        in client.get(reverse("follow:learner", args=[new.pk])).content
    )


def test_editing_the_template_never_changes_a_running_cohort(
    lnd, template, cohort, enrollment, learner_actor
):
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=module_named(cohort.program, "Welcome")
    )
    services.module_save(
        actor=lnd,
        program=template,
        title="Added later",
        kind=ModuleKind.LESSON,
        release_week=1,
        body="x",
    )
    services.module_save(
        actor=lnd,
        program=template,
        module=module_named(template, "Welcome"),
        title="Welcome (new)",
        kind=ModuleKind.LESSON,
        release_week=3,
        body="changed",
    )
    titles = set(cohort.program.modules.values_list("title", flat=True))
    assert "Added later" not in titles and "Welcome" in titles
    assert module_named(cohort.program, "Welcome").release_week == 1


def test_a_cohorts_own_copy_can_be_changed_for_that_cohort_only(lnd, template, cohort):
    other = services.cohort_save(
        actor=lnd,
        program=template,
        name="Other",
        start_date=cohort.start_date,
        end_date=None,
        capacity=5,
    )
    services.module_save(
        actor=lnd,
        program=cohort.program,
        title="Only here",
        kind=ModuleKind.LESSON,
        release_week=2,
        body="x",
    )
    assert cohort.program.modules.filter(title="Only here").exists()
    assert not other.program.modules.filter(title="Only here").exists()
    assert not template.modules.filter(title="Only here").exists()


def test_the_program_cannot_change_once_learners_are_enrolled(lnd, cohort, enrollment, scenario):
    other = services.program_save(
        actor=lnd, title="Other", audience="new_managers", duration_weeks=12
    )
    with pytest.raises(ValidationError) as exc:
        services.cohort_save(
            actor=lnd,
            cohort=cohort,
            program=other,
            name=cohort.name,
            start_date=cohort.start_date,
            end_date=cohort.end_date,
            capacity=cohort.capacity,
        )
    assert "cannot change" in exc.value.message_dict["program"][0]


def test_a_cohort_may_not_end_before_its_last_module(lnd, template):
    with pytest.raises(ValidationError) as exc:
        services.cohort_save(
            actor=lnd,
            program=template,
            name="Short",
            start_date=datetime.date(2026, 1, 5),
            end_date=datetime.date(2026, 2, 1),
            capacity=3,
        )
    assert "week 10" in exc.value.message_dict["end_date"][0]


def test_an_ended_enrolment_cannot_be_withdrawn_again(lnd, enrollment):
    services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    ended_at = Enrollment.objects.get(pk=enrollment.pk).ended_at
    with pytest.raises(ValidationError, match="already ended"):
        services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    assert Enrollment.objects.get(pk=enrollment.pk).ended_at == ended_at


def test_another_organisations_manager_cannot_withdraw_our_learner(enrollment, outsider, other_org):
    with pytest.raises(Enrollment.DoesNotExist):
        services.enrollment_withdraw(actor=actor_for(outsider, other_org), enrollment=enrollment)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_a_learner_cannot_be_moved_into_another_organisations_cohort(
    lnd, enrollment, outsider, other_org
):
    theirs = actor_for(outsider, other_org)
    services.competencies_seed(organization=other_org)
    program = services.program_save(
        actor=theirs, title="Theirs", audience="new_managers", duration_weeks=4
    )
    their_cohort = services.cohort_save(
        actor=theirs,
        program=program,
        name="Globex spring",
        start_date=other_org.today(),
        end_date=None,
        capacity=5,
    )
    with pytest.raises(Cohort.DoesNotExist):
        services.enrollment_move(actor=lnd, enrollment=enrollment, to_cohort=their_cohort)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert not their_cohort.enrollments.exists()


def test_an_ended_enrolment_cannot_be_moved(lnd, cohort, program, enrollment):
    other = services.cohort_save(
        actor=lnd,
        program=program,
        name="Autumn",
        start_date=cohort.start_date,
        end_date=None,
        capacity=5,
    )
    services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    with pytest.raises(ValidationError, match="already ended"):
        services.enrollment_move(actor=lnd, enrollment=enrollment, to_cohort=other)
    assert not other.enrollments.exists()


def test_capacity_cannot_drop_below_the_learners_already_enrolled(
    lnd, cohort, enrollment, peer_enrollment
):
    with pytest.raises(ValidationError) as exc:
        services.cohort_save(
            actor=lnd,
            cohort=cohort,
            program=cohort.program,
            name=cohort.name,
            start_date=cohort.start_date,
            end_date=cohort.end_date,
            capacity=1,
        )
    assert "already enrolled" in exc.value.message_dict["capacity"][0]
    cohort.refresh_from_db()
    assert cohort.capacity == 10


def test_a_module_a_learner_has_played_cannot_be_removed(lnd, program, enrollment, learner_actor):
    role_play = module_named(program, "Feedback role-play")
    services.attempt_start(actor=learner_actor, enrollment=enrollment, module=role_play)
    ModuleProgress.objects.filter(module=role_play).delete()  # only the attempt remains
    with pytest.raises(ValidationError, match="cannot be removed"):
        services.module_delete(actor=lnd, module=role_play)
    assert Module.objects.filter(pk=role_play.pk).exists()


def test_a_cohort_must_end_after_the_day_it_starts(lnd, program):
    day = datetime.date(2026, 1, 5)
    with pytest.raises(ValidationError) as exc:
        services.cohort_save(
            actor=lnd, program=program, name="One day", start_date=day, end_date=day, capacity=3
        )
    assert "must end after it starts" in exc.value.message_dict["end_date"][0]


def test_a_module_cannot_play_another_organisations_scenario(lnd, program, outsider, other_org):
    theirs = actor_for(outsider, other_org)
    services.competencies_seed(organization=other_org)
    their_scenario, _ = services.scenario_import(actor=theirs, content=SMALL_SCENARIO)
    with pytest.raises(ValidationError) as exc:
        services.module_save(
            actor=lnd,
            program=program,
            title="Borrowed",
            kind=ModuleKind.SCENARIO,
            release_week=1,
            scenario=their_scenario,
        )
    assert "this organisation's library" in exc.value.message_dict["scenario"][0]
    assert not program.modules.filter(title="Borrowed").exists()


def test_the_cohort_pages_show_a_range_across_new_year_with_both_years(
    client, lnd, lnd_manager, template
):
    cohort = services.cohort_save(
        actor=lnd,
        program=template,
        name="Winter",
        start_date=datetime.date(2025, 12, 22),
        end_date=datetime.date(2026, 3, 16),
        capacity=5,
    )
    client.force_login(lnd_manager)
    listing = client.get(reverse("programs:cohorts")).content.decode()
    detail = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    shown = f"22 Dec 2025 {EN_DASH} 16 Mar 2026"
    assert shown in listing and shown in detail
