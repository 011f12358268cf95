"""Who may open a learner's reflections and practice log: the learner and their own coach."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from people.models import AuditEntry, Role
from programs import services
from programs.models import ModuleKind, Reflection
from tests.conftest import _persona, actor_for
from tests.factories import EmployeeFactory
from tests.programs.conftest import SMALL_SCENARIO, module_named


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


def test_my_team_is_refused_to_someone_who_manages_nobody(client, peer_learner, enrollment):
    client.force_login(peer_learner)
    assert client.get(reverse("follow:team_progress")).status_code == 403
    assert b"My team" not in client.get(reverse("home")).content


def _snapshot() -> dict:
    """Every row a programs write could touch, and the audit log."""
    from django.apps import apps

    models = [*apps.get_app_config("programs").get_models(), AuditEntry]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


WRITES = {
    "competency_save": lambda c: services.competency_save(actor=c.actor, name="Listening"),
    "competency_set_retired": lambda c: services.competency_set_retired(
        actor=c.actor, competency=c.org.competencies.first(), retired=True
    ),
    "program_save": lambda c: services.program_save(
        actor=c.actor,
        title="Renamed",
        audience=c.template.audience,
        duration_weeks=12,
        program=c.template,
    ),
    "module_save": lambda c: services.module_save(
        actor=c.actor,
        program=c.template,
        title="Extra",
        kind=ModuleKind.LESSON,
        release_week=1,
        body="More.",
    ),
    "module_delete": lambda c: services.module_delete(
        actor=c.actor, module=module_named(c.template, "Later lesson")
    ),
    "scenario_import": lambda c: services.scenario_import(
        actor=c.actor, content=SMALL_SCENARIO.replace("small-talk", "other-talk")
    ),
    "cohort_save": lambda c: services.cohort_save(
        actor=c.actor,
        program=c.template,
        name="Autumn",
        start_date=c.org.today(),
        end_date=None,
        capacity=5,
    ),
    "enrollment_add": lambda c: services.enrollment_add(
        actor=c.actor, cohort=c.cohort, employees=[c.newcomer], notify=False
    ),
    "enrollment_import_start": lambda c: services.enrollment_import_start(
        actor=c.actor, cohort=c.cohort, filename="e.csv", content=c.newcomer.email.encode()
    ),
    "enrollment_import_commit": lambda c: services.enrollment_import_commit(
        actor=c.actor, enrollment_import=c.batch
    ),
    "enrollment_withdraw": lambda c: services.enrollment_withdraw(
        actor=c.actor, enrollment=c.enrollment
    ),
    "enrollment_move": lambda c: services.enrollment_move(
        actor=c.actor, enrollment=c.enrollment, to_cohort=c.autumn
    ),
    "cohort_nudge": lambda c: services.cohort_nudge(
        actor=c.actor, cohort=c.cohort, enrollment_ids=[c.enrollment.pk]
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_program_writes_refuse_a_coach_and_change_nothing(
    write, lnd, org, template, cohort, enrollment, coach
):
    from types import SimpleNamespace

    from tests.factories import EmployeeFactory

    newcomer = EmployeeFactory(organization=org, email="new@acme.test")
    ctx = SimpleNamespace(
        actor=actor_for(coach, org),
        org=org,
        template=template,
        cohort=cohort,
        enrollment=enrollment,
        newcomer=newcomer,
        autumn=services.cohort_save(
            actor=lnd,
            program=template,
            name="Autumn",
            start_date=org.today(),
            end_date=None,
            capacity=5,
        ),
        batch=services.enrollment_import_start(
            actor=lnd, cohort=cohort, filename="e.csv", content=newcomer.email.encode()
        ),
    )
    before = _snapshot()
    with pytest.raises(PermissionDenied, match="needs the manage programs permission"):
        WRITES[write](ctx)
    assert _snapshot() == before
