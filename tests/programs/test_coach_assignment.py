"""Who may be a learner's coach: never the learner, never the learner's line manager
(coaches read reflections, which line managers must never see)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from people.models import Membership, Role
from programs import services
from programs.models import Enrollment, Reflection
from tests.conftest import _persona
from tests.factories import EmployeeFactory, MembershipFactory, UserFactory
from tests.programs.conftest import module_named


def test_a_coach_enrolled_in_their_own_cohort_is_coached_by_someone_else(
    lnd, cohort, coach, second_coach, org
):
    coach_employee = coach.employments.get(organization=org)
    [enrollment] = services.enrollment_add(actor=lnd, cohort=cohort, employees=[coach_employee])
    assert enrollment.coach == second_coach


def test_a_line_manager_never_coaches_their_own_report(
    lnd, template, line_manager, line_manager_employee, learner_employee, org
):
    MembershipFactory(organization=org, user=line_manager, role=Role.COACH)
    cohort = services.cohort_save(
        actor=lnd,
        program=template,
        name="Managers coach",
        start_date=org.today(),
        end_date=None,
        capacity=5,
        coach_ids=[line_manager.pk],
    )
    [enrollment] = services.enrollment_add(actor=lnd, cohort=cohort, employees=[learner_employee])
    # The only coach is the learner's manager: better no coach than the wrong one.
    assert enrollment.coach is None
    stranger = _persona(org, "stranger@acme.test")[1]
    [other] = services.enrollment_add(actor=lnd, cohort=cohort, employees=[stranger])
    assert other.coach == line_manager


def test_a_coach_who_becomes_the_learners_manager_is_replaced_when_the_cohort_is_saved(
    lnd, cohort, enrollment, coach, second_coach, org
):
    assert enrollment.coach == coach
    coach_employee = coach.employments.get(organization=org)
    learner = enrollment.employee
    learner.manager = coach_employee
    learner.save(update_fields=["manager"])
    services.cohort_save(
        actor=lnd,
        cohort=cohort,
        program=cohort.program,
        name=cohort.name,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        capacity=cohort.capacity,
        coach_ids=[coach.pk, second_coach.pk],
    )
    enrollment.refresh_from_db()
    assert enrollment.coach == second_coach


@pytest.mark.django_db
def test_the_demo_coach_coaches_nobody_she_is_or_manages():
    call_command("load_demo", verbosity=0)
    enrollments = Enrollment.objects.select_related("employee__manager", "coach")
    assert enrollments.exists()
    for enrollment in enrollments:
        assert enrollment.coach_id != enrollment.employee.user_id
        manager = enrollment.employee.manager
        assert manager is None or manager.user_id is None or manager.user_id != enrollment.coach_id


def test_a_coach_from_outside_with_no_roster_record_is_given_learners(
    lnd, template, learner_employee, org
):
    external = UserFactory(email="coach@outside.test", full_name="Outside Coach")
    MembershipFactory(organization=org, user=external, role=Role.COACH)
    cohort = services.cohort_save(
        actor=lnd,
        program=template,
        name="Outside help",
        start_date=org.today(),
        end_date=None,
        capacity=5,
        coach_ids=[external.pk],
    )
    [enrollment] = services.enrollment_add(actor=lnd, cohort=cohort, employees=[learner_employee])
    assert enrollment.coach == external


def test_reassigned_learners_leave_the_coaches_evenly_loaded(
    lnd, cohort, coach, second_coach, enrollment, peer_enrollment, org
):
    """A learner taken from a coach frees a place with that coach for the next learner
    who needs one."""
    assert coach.pk < second_coach.pk  # ties go to the coach
    assert (enrollment.coach, peer_enrollment.coach) == (coach, second_coach)
    moved, coachless = EmployeeFactory.create_batch(2, organization=org)
    services.enrollment_add(actor=lnd, cohort=cohort, employees=[moved, coachless])
    Enrollment.objects.filter(employee=moved).update(coach=second_coach)
    Enrollment.objects.filter(employee=coachless).update(coach=None)
    # The second coach becomes the manager of one of their learners.
    moved.manager = second_coach.employments.get(organization=org)
    moved.save(update_fields=["manager"])
    services.cohort_save(
        actor=lnd,
        cohort=cohort,
        program=cohort.program,
        name=cohort.name,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        capacity=cohort.capacity,
        coach_ids=[coach.pk, second_coach.pk],
    )
    coach_of = dict(cohort.enrollments.values_list("employee_id", "coach_id"))
    assert coach_of[moved.pk] == coach.pk
    assert coach_of[coachless.pk] == second_coach.pk
    assert sorted(coach_of.values()) == sorted(
        [coach.pk, coach.pk, second_coach.pk, second_coach.pk]
    )


def test_learners_who_left_the_cohort_do_not_count_against_their_coach(
    lnd, cohort, coach, second_coach, enrollment, peer_enrollment, org
):
    assert coach.pk < second_coach.pk  # ties go to the coach
    services.enrollment_withdraw(actor=lnd, enrollment=peer_enrollment)
    newcomer = EmployeeFactory(organization=org)
    [joined] = services.enrollment_add(actor=lnd, cohort=cohort, employees=[newcomer])
    assert joined.coach == second_coach


def test_removing_a_coach_reassigns_their_learners_and_ends_their_access(
    client, lnd, cohort, enrollment, coach, coach_user
):
    old_coach = enrollment.coach
    remaining = coach_user if old_coach == coach else coach
    services.cohort_save(
        actor=lnd,
        cohort=cohort,
        program=cohort.program,
        name=cohort.name,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        capacity=cohort.capacity,
        coach_ids=[remaining.pk],
    )
    enrollment.refresh_from_db()
    assert enrollment.coach == remaining
    client.force_login(old_coach)
    assert client.get(reverse("follow:learner", args=[enrollment.pk])).status_code == 404
    client.force_login(remaining)
    page = client.get(reverse("follow:learner", args=[enrollment.pk]))
    assert enrollment.employee.full_name.encode() in page.content


def test_a_coach_whose_role_is_withdrawn_loses_access(client, enrollment, learner_actor, program):
    services.reflection_save(
        actor=learner_actor,
        enrollment=enrollment,
        module=module_named(program, "What did you notice?"),
        text="I rushed the one-on-one.",
    )
    coach = enrollment.coach
    reflection = Reflection.objects.get()
    client.force_login(coach)
    page = client.get(reverse("follow:reflection", args=[reflection.pk]))
    assert b"I rushed the one-on-one." in page.content
    Membership.objects.filter(user=coach, role=Role.COACH).delete()
    assert client.get(reverse("follow:reflection", args=[reflection.pk])).status_code == 404
