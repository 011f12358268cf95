"""What each persona sees, list by list, and that detail agrees with the list.

One world: a cohort with the learner (coached by the coach, managed by the line manager,
formerly by the former line manager) and a peer learner (coached by the second coach,
managed by nobody), a baseline round, the learner's plan shared with their manager,
and a second organisation with the same things. For every list endpoint, each persona
sees exactly the ids written here; every id of either organisation answers 200 on
detail exactly when it was listed, else 404.
"""

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import Assessment, DevelopmentPlan, PlanGoal
from people.models import ApiToken, Employee, Membership, Role, Team
from people.services import api_token_create
from programs import services
from programs.models import (
    Cohort,
    Competency,
    Enrollment,
    LiveSessionAttendance,
    ModuleKind,
    Program,
)
from tests.assessments.test_assessments import submit_both
from tests.conftest import _persona, actor_for
from tests.factories import EmployeeFactory, MembershipFactory, UserFactory

PERSONAS = [
    "lnd_manager",
    "learner",
    "peer_learner",
    "line_manager",
    "former_line_manager",
    "coach",
    "second_coach",
    "executive",
    "outsider",
]


@pytest.fixture
def world(
    request,
    org,
    other_org,
    lnd,
    cohort,
    enrollment,
    peer_enrollment,
    learner,
    line_manager,
    coach,
    second_coach,
    former_line_manager,
    executive,
    outsider,
):
    assert enrollment.coach == coach and peer_enrollment.coach == second_coach
    assessment_services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    cohort.program.competencies.set(org.competencies.filter(key__in=["delegation"]))
    submit_both(learner, line_manager, org, lambda i: 2, lambda i: 2)
    learner_actor = actor_for(learner, org)
    plan = assessment_services.plan_draft(actor=learner_actor, enrollment=enrollment)
    assessment_services.plan_share(actor=learner_actor, plan=plan, shared=True)
    for user in (learner, coach):
        api_token_create(actor=actor_for(user, org), name="mine", roles=None, read_only=False)

    # The other organisation has the same shape; none of it is ours to see.
    services.competencies_seed(organization=other_org)
    their_lnd = actor_for(outsider, other_org)
    their_program = services.program_save(
        actor=their_lnd, title="Theirs", audience="new_managers", duration_weeks=12
    )
    their_learner = _persona(other_org, "learner@globex.test", [Role.LEARNER])[1]
    their_cohort = services.cohort_save(
        actor=their_lnd,
        program=their_program,
        name="Theirs",
        start_date=org.today(),
        end_date=None,
        capacity=5,
    )
    services.enrollment_add(actor=their_lnd, cohort=their_cohort, employees=[their_learner])
    users = {name: request.getfixturevalue(name) for name in PERSONAS}
    return {"users": users, "enrollment": enrollment, "peer": peer_enrollment, "plan": plan}


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def expected(world, org, other_org) -> dict[str, dict[str, set[int]]]:
    """endpoint -> persona -> the ids that persona must see. Absent personas see none."""
    e, peer, plan = world["enrollment"], world["peer"], world["plan"]
    u = world["users"]
    ours, theirs = {"organization": org}, {"organization": other_org}
    employees = Employee.objects.filter(**ours)
    learner_e, manager_e = e.employee, e.employee.manager
    mine = lambda user: ids(Employee.objects.filter(user=user, organization=org))  # noqa: E731
    all_members = set(PERSONAS) - {"outsider"}
    own_assessments = lambda user: ids(Assessment.objects.filter(rater=user))  # noqa: E731
    return {
        "employees": {
            "lnd_manager": ids(employees),
            **{p: mine(u[p]) for p in all_members - {"lnd_manager"}},
            "line_manager": {manager_e.pk, learner_e.pk},
            # The outsider is the other organisation's L&D manager: all of theirs.
            "outsider": ids(Employee.objects.filter(**theirs)),
        },
        "teams": {
            **{p: ids(Team.objects.filter(**ours)) for p in all_members},
            "outsider": ids(Team.objects.filter(**theirs)),
        },
        "memberships": {
            "lnd_manager": ids(Membership.objects.filter(**ours)),
            "outsider": ids(Membership.objects.filter(**theirs)),
        },
        "tokens": {p: ids(ApiToken.objects.filter(user=u[p])) for p in all_members},
        "competencies": {
            **{p: ids(Competency.objects.filter(**ours)) for p in all_members},
            "outsider": ids(Competency.objects.filter(**theirs)),
        },
        "programs": {
            "lnd_manager": ids(Program.objects.filter(**ours, template__isnull=True)),
            "outsider": ids(Program.objects.filter(**theirs, template__isnull=True)),
        },
        "cohorts": {"lnd_manager": {e.cohort_id}, "outsider": ids(Cohort.objects.filter(**theirs))},
        "enrollments": {
            "outsider": ids(Enrollment.objects.filter(cohort__organization=other_org)),
            "lnd_manager": {e.pk, peer.pk},
            "learner": {e.pk},
            "peer_learner": {peer.pk},
            "line_manager": {e.pk},
            "coach": {e.pk},
            "second_coach": {peer.pk},
        },
        "assessments": {
            "lnd_manager": ids(Assessment.objects.filter(**ours)),
            "outsider": ids(Assessment.objects.filter(**theirs)),
            "learner": own_assessments(u["learner"]),
            "peer_learner": own_assessments(u["peer_learner"]),
            "line_manager": own_assessments(u["line_manager"]),
        },
        # Keyed by enrolment: results with scores, plans in either form.
        "results": {
            "lnd_manager": {e.pk, peer.pk},
            "learner": {e.pk},
            "outsider": ids(Enrollment.objects.filter(cohort__organization=other_org)),
            "peer_learner": {peer.pk},
            "coach": {e.pk},
            "second_coach": {peer.pk},
        },
        "plans": {
            "lnd_manager": {e.pk},
            "learner": {e.pk},
            "coach": {e.pk},
            "line_manager": {e.pk},
        },
        "plan-goals": {"learner": ids(plan.goals.all()), "coach": ids(plan.goals.all())},
    }


LISTED = [
    "employees",
    "teams",
    "memberships",
    "tokens",
    "competencies",
    "programs",
    "cohorts",
    "enrollments",
    "assessments",
]


def every_id(endpoint: str) -> set[int]:
    model = {
        "employees": Employee,
        "teams": Team,
        "memberships": Membership,
        "tokens": ApiToken,
        "competencies": Competency,
        "programs": Program,
        "cohorts": Cohort,
        "enrollments": Enrollment,
        "assessments": Assessment,
        "results": Enrollment,
        "plans": Enrollment,
        "plan-goals": PlanGoal,
    }[endpoint]
    return ids(model.objects.all())


def listed(client, endpoint: str) -> set[int] | None:
    response = client.get(f"/api/v1/{endpoint}/?page_size=500")
    if response.status_code == 403:
        return None
    assert response.status_code == 200, (endpoint, response.status_code)
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_exactly_their_objects_and_detail_agrees(
    client, world, org, other_org, persona
):
    user = world["users"][persona]
    client.force_login(user)
    want = expected(world, org, other_org)
    for endpoint in LISTED:
        seen = listed(client, endpoint)
        expect = want[endpoint].get(persona, set())
        if seen is None:
            assert expect == set(), f"{persona} was refused {endpoint} but should see {expect}"
            continue
        assert seen == expect, f"{persona} on {endpoint}"
        if endpoint == "memberships":
            continue  # no detail route
        for pk in every_id(endpoint):
            status = client.get(f"/api/v1/{endpoint}/{pk}/").status_code
            assert status == (200 if pk in seen else 404), f"{persona} {endpoint}/{pk}: {status}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_results_and_plans_answer_exactly_for_the_people_in_scope(
    client, world, org, other_org, persona
):
    client.force_login(world["users"][persona])
    want = expected(world, org, other_org)
    for endpoint in ("results", "plans"):
        expect = want[endpoint].get(persona, set())
        for pk in every_id(endpoint):
            response = client.get(f"/api/v1/{endpoint}/{pk}/")
            if pk in expect and endpoint == "plans" and pk != world["enrollment"].pk:
                assert response.status_code == 404  # in scope, but no plan yet
                continue
            assert response.status_code == (200 if pk in expect else 404), (
                f"{persona} {endpoint}/{pk}: {response.status_code}"
            )
    goals = want["plan-goals"].get(persona, set())
    for goal in PlanGoal.objects.all():
        response = client.patch(
            f"/api/v1/plan-goals/{goal.pk}/",
            {"goal": "Ask two questions before I suggest a fix."},
            content_type="application/json",
        )
        assert response.status_code == (200 if goal.pk in goals else 404), persona


def test_the_line_manager_reads_the_shared_plan_without_scores(client, world, line_manager):
    client.force_login(line_manager)
    plan = client.get(f"/api/v1/plans/{world['enrollment'].pk}/").json()
    assert plan["goals"] and all("gap" not in g and "score" not in g for g in plan["goals"])
    assert "learner_agreed_at" not in plan


def test_a_shared_plan_is_neither_inherited_by_the_next_manager_nor_kept_by_the_last(
    client, world, org, former_line_manager_employee, line_manager_employee
):
    """The plan names the manager it was shared with; whoever manages the learner next
    sees nothing until the learner shares again."""
    plan = DevelopmentPlan.objects.get(pk=world["plan"].pk)
    assert plan.shared_with == line_manager_employee
    learner = world["enrollment"].employee
    learner.manager = former_line_manager_employee
    learner.save(update_fields=["manager"])
    client.force_login(former_line_manager_employee.user)
    assert client.get(f"/api/v1/plans/{world['enrollment'].pk}/").status_code == 404
    client.force_login(line_manager_employee.user)
    # Named, but no longer the learner's manager: the plan was shown to them as that.
    assert client.get(f"/api/v1/plans/{world['enrollment'].pk}/").status_code == 404


def test_a_member_with_no_roster_record_sees_nobody_on_the_roster(client, world, org):
    """An outside coach holds a role here but has no employee record: 'themselves and
    their reports' is nobody, not everyone without a manager, and not everyone."""
    external = UserFactory(email="coach@outside.test", full_name="Outside Coach")
    MembershipFactory(organization=org, user=external, role=Role.COACH)
    client.force_login(external)
    assert listed(client, "employees") == set()
    assert listed(client, "enrollments") == set()
    for employee in Employee.objects.all():
        assert client.get(f"/api/v1/employees/{employee.pk}/").status_code == 404


@pytest.fixture
def coach_at_both(world, org, other_org, coach, outsider):
    """The coach also coaches, facilitates and manages someone at the other organisation,
    but is working in this one (the first by name)."""
    assert sorted([org.name, other_org.name])[0] == org.name
    their_lnd = actor_for(outsider, other_org)
    MembershipFactory(organization=other_org, user=coach, role=Role.COACH)
    their_cohort = Cohort.objects.get(organization=other_org)
    services.cohort_save(
        actor=their_lnd,
        program=their_cohort.program,
        name=their_cohort.name,
        start_date=their_cohort.start_date,
        end_date=their_cohort.end_date,
        capacity=their_cohort.capacity,
        facilitator=coach,
        coach_ids=[coach.pk],
        cohort=their_cohort,
    )
    live = services.module_save(
        actor=their_lnd,
        program=their_cohort.program,
        title="Workshop",
        kind=ModuleKind.LIVE_SESSION,
        release_week=1,
        session_location="Room B",
    )
    their_enrollment = Enrollment.objects.get(cohort=their_cohort)
    assert their_enrollment.coach == coach
    their_coach_record = EmployeeFactory(organization=other_org, user=coach, email=coach.email)
    their_learner = their_enrollment.employee
    their_learner.manager = their_coach_record
    their_learner.save(update_fields=["manager"])
    their_cohort.program.competencies.set(other_org.competencies.filter(key="delegation"))
    assessment_services.assessment_round_open(
        actor=their_lnd,
        cohort=their_cohort,
        phase="baseline",
        opens_on=other_org.today(),
        closes_on=other_org.today(),
    )
    assert Assessment.objects.filter(organization=other_org, rater=coach).exists()
    return {"cohort": their_cohort, "enrollment": their_enrollment, "live": live}


def test_working_in_one_organisation_shows_nothing_of_another_where_one_also_coaches(
    client, world, coach, coach_at_both
):
    client.force_login(coach)
    theirs = coach_at_both["enrollment"]
    assert listed(client, "enrollments") == {world["enrollment"].pk}
    assert listed(client, "assessments") == set()
    for endpoint in ("enrollments", "results"):
        assert client.get(f"/api/v1/{endpoint}/{theirs.pk}/").status_code == 404
    for assessment in Assessment.objects.filter(rater=coach):
        assert client.get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404
    page = client.get(reverse("follow:coach_learners")).content.decode()
    assert reverse("follow:learner", args=[world["enrollment"].pk]) in page
    assert reverse("follow:learner", args=[theirs.pk]) not in page


def test_a_facilitator_at_another_organisation_takes_no_attendance_from_this_one(
    client, world, coach, coach_at_both
):
    client.force_login(coach)
    cohort, live = coach_at_both["cohort"], coach_at_both["live"]
    url = reverse("programs:attendance", args=[cohort.pk, live.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"present": [coach_at_both["enrollment"].pk]}).status_code == 404
    assert not LiveSessionAttendance.objects.exists()
