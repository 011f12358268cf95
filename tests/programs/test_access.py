"""Who may open a learner's reflections and practice log: the learner and their own coach."""

import pytest
from django.urls import reverse

from people.models import Role
from programs import services
from programs.models import Reflection
from tests.conftest import _persona, actor_for
from tests.factories import EmployeeFactory
from tests.programs.conftest import module_named


@pytest.fixture
def reflection(learner_actor, enrollment, program):
    services.reflection_save(
        actor=learner_actor,
        enrollment=enrollment,
        module=module_named(program, "What did you notice?"),
        text="I talk over Priya.",
    )
    return Reflection.objects.get()


def test_the_learner_and_their_coach_can_read_the_reflection(
    client, reflection, learner, enrollment
):
    client.force_login(learner)
    assert client.get(reverse("follow:reflection", args=[reflection.pk])).status_code == 200
    client.force_login(enrollment.coach)
    response = client.get(reverse("follow:reflection", args=[reflection.pk]))
    assert response.status_code == 200 and b"I talk over Priya." in response.content


@pytest.mark.parametrize(
    "who", ["other_coach", "line_manager", "lnd_manager", "other_learner", "outsider"]
)
def test_nobody_else_can_read_the_reflection(
    client,
    reflection,
    enrollment,
    coach,
    coach_user,
    line_manager,
    lnd_manager,
    outsider,
    org,
    lnd,
    program,
    who,
):
    other_coach = coach_user if enrollment.coach_id == coach.pk else coach
    other_learner = _persona(org, "peer@acme.test", [Role.LEARNER])[0]
    other_cohort = services.cohort_save(
        actor=lnd,
        program=program,
        name="Other",
        start_date=enrollment.cohort.start_date,
        end_date=None,
        capacity=3,
    )
    services.enrollment_add(
        actor=lnd, cohort=other_cohort, employees=[other_learner.employments.get()]
    )
    user = {
        "other_coach": other_coach,
        "line_manager": line_manager,
        "lnd_manager": lnd_manager,
        "other_learner": other_learner,
        "outsider": outsider,
    }[who]
    client.force_login(user)
    assert client.get(reverse("follow:reflection", args=[reflection.pk])).status_code == 404
    page = client.get(reverse("follow:learner", args=[enrollment.pk]))
    assert b"I talk over Priya." not in page.content


def test_line_manager_sees_progress_but_not_practice(client, line_manager, enrollment, reflection):
    client.force_login(line_manager)
    page = client.get(reverse("follow:learner", args=[enrollment.pk]))
    assert page.status_code == 200
    assert b"modules done" in page.content
    assert b"private to the learner and their coach" in page.content
    team = client.get(reverse("follow:team_progress"))
    assert enrollment.employee.full_name.encode() in team.content


def test_a_stranger_cannot_see_a_learners_progress(client, outsider, enrollment):
    client.force_login(outsider)
    assert client.get(reverse("follow:learner", args=[enrollment.pk])).status_code == 404


def test_a_learner_cannot_open_another_learners_module_page(client, org, enrollment, program, lnd):
    peer = _persona(org, "peer2@acme.test", [Role.LEARNER])[0]
    client.force_login(peer)
    url = reverse("learn:module", args=[enrollment.pk, module_named(program, "Welcome").pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("learn:practice", args=[enrollment.pk])).status_code == 404


def test_lnd_pages_are_closed_to_learners_and_other_orgs(
    client, learner, outsider, cohort, enrollment
):
    # A learner lacks the role: 403. The other organisation's L&D manager holds it, but
    # the objects are outside their scope: 404, so nothing confirms they exist.
    for user, status in ((learner, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(reverse("programs:cohort_detail", args=[cohort.pk])).status_code == status
        assert (
            client.get(reverse("programs:program_detail", args=[cohort.program_id])).status_code
            == status
        )
        assert (
            client.post(reverse("programs:enrollment_withdraw", args=[enrollment.pk])).status_code
            == status
        )
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


def test_coach_sees_only_their_assigned_learners(
    client, enrollment, coach, coach_user, org, lnd, cohort
):
    others = EmployeeFactory.create_batch(3, organization=org)
    services.enrollment_add(actor=lnd, cohort=cohort, employees=others)
    assigned = enrollment.coach
    client.force_login(assigned)
    page = client.get(reverse("follow:coach_learners")).content.decode()
    mine = cohort.enrollments.filter(coach=assigned)
    theirs = cohort.enrollments.exclude(coach=assigned)
    assert all(e.employee.full_name in page for e in mine)
    assert not any(e.employee.full_name in page for e in theirs)


def test_actor_helper(lnd_manager, org):
    assert actor_for(lnd_manager, org).is_lnd_manager
