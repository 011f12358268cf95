import pytest

from assessments import services
from assessments.models import Assessment, AssessmentTemplate, PlanGoal
from programs import services as program_services
from tests.assessments.conftest import submit_both
from tests.factories import EmployeeFactory


def test_rater_saves_a_draft_then_submits_through_the_api(client, round_open, learner):
    client.force_login(learner)
    mine = client.get("/api/v1/assessments/").json()["results"]
    assert [a["kind"] for a in mine] == ["self"]
    pk, keys = mine[0]["id"], [i["key"] for i in mine[0]["items"]]
    bad = client.post(
        f"/api/v1/assessments/{pk}/answers/",
        {"answers": {keys[0]: 7}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "answers" in bad.json()
    draft = client.post(
        f"/api/v1/assessments/{pk}/answers/",
        {"answers": {keys[0]: 3}},
        content_type="application/json",
    )
    assert (
        draft.status_code == 200
        and draft.json()["status"] == "draft"
        and draft.json()["answers"] == {keys[0]: 3}
    )
    done = client.post(
        f"/api/v1/assessments/{pk}/answers/",
        {"answers": dict.fromkeys(keys, 4), "submit": True},
        content_type="application/json",
    )
    assert done.json()["status"] == "submitted"
    again = client.post(
        f"/api/v1/assessments/{pk}/answers/",
        {"answers": {keys[0]: 1}},
        content_type="application/json",
    )
    assert again.status_code == 400 and "already submitted" in again.json()["assessment"][0]


def test_nobody_else_can_answer_or_read_results(client, round_open, line_manager, outsider):
    own = Assessment.objects.get(template__kind="self")
    client.force_login(line_manager)
    assert (
        client.post(
            f"/api/v1/assessments/{own.pk}/answers/",
            {"answers": {}},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/results/{round_open.pk}/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/api/v1/assessments/{own.pk}/").status_code == 404


def test_results_plan_and_agreement_through_the_api(client, round_open, learner, line_manager, org):
    round_open.cohort.program.competencies.set(org.competencies.all())
    submit_both(learner, line_manager, org, lambda item: 2, lambda item: 3)
    client.force_login(learner)
    results = client.get(f"/api/v1/results/{round_open.pk}/").json()
    assert results["gaps"][0]["gap"] == 1.5
    plan = client.post(f"/api/v1/plans/{round_open.pk}/draft/").json()
    assert plan["status"] == "draft" and len(plan["goals"]) == 3
    goal = plan["goals"][0]
    bad = client.patch(
        f"/api/v1/plan-goals/{goal['id']}/",
        {"due_date": "1999-01-01"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "due_date" in bad.json()
    ok = client.patch(
        f"/api/v1/plan-goals/{goal['id']}/", {"goal": "My words"}, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["goal"] == "My words"
    refused = client.post(f"/api/v1/plans/{round_open.pk}/agree/")
    assert refused.status_code == 400
    names = [PlanGoal.objects.get(pk=g["id"]).competency.name for g in plan["goals"][1:]]
    assert refused.json()["goals"] == [
        f"Write each goal in your own words before agreeing; still to write: {', '.join(names)}."
    ]
    for other in plan["goals"][1:]:
        client.patch(
            f"/api/v1/plan-goals/{other['id']}/",
            {"goal": "Also mine"},
            content_type="application/json",
        )
    assert client.post(f"/api/v1/plans/{round_open.pk}/agree/").json()["learner_agreed_at"]


def test_templates_are_listed_for_lnd_without_answers(client, lnd_manager, round_open):
    client.force_login(lnd_manager)
    data = client.get("/api/v1/assessment-templates/?kind=self").json()
    assert data["count"] == 1 and len(data["results"][0]["items"]) == 24
    assert "correct" not in data["results"][0]["items"][0]


@pytest.mark.parametrize("extra", [1, 12])
def test_my_assessments_api_queries_do_not_grow(
    client, lnd, cohort, round_open, org, extra, django_assert_num_queries
):
    cohort.capacity = 100
    cohort.save()
    people = EmployeeFactory.create_batch(
        extra, organization=org, manager=round_open.employee.manager
    )
    program_services.enrollment_add(actor=lnd, cohort=cohort, employees=people, notify=False)
    services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    client.force_login(round_open.employee.manager.user)  # rates 1 + extra learners
    with django_assert_num_queries(9):
        response = client.get("/api/v1/assessments/")
    assert response.json()["count"] == 1 + extra


def test_each_organisation_lists_only_its_own_questionnaires(
    client, lnd_manager, outsider, org, other_org
):
    services.assessment_library_load(organization=org)
    services.assessment_library_load(organization=other_org)
    for user, organization in [(lnd_manager, org), (outsider, other_org)]:
        client.force_login(user)
        listed = {t["id"] for t in client.get("/api/v1/assessment-templates/").json()["results"]}
        own = set(
            AssessmentTemplate.objects.filter(organization=organization).values_list(
                "pk", flat=True
            )
        )
        assert listed == own and len(own) == 3, user
        theirs = AssessmentTemplate.objects.exclude(organization=organization).first()
        assert client.get(f"/api/v1/assessment-templates/{theirs.pk}/").status_code == 404
