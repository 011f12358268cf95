"""Who may be a learner's coach: never the learner, never the learner's line manager
(coaches read reflections, which line managers must never see)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from people.models import Membership, Role
from programs import services
from programs.models import Enrollment, Reflection
from tests.conftest import _persona
from tests.factories import MembershipFactory
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
