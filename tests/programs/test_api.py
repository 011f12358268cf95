import datetime

import pytest
from django.core.exceptions import PermissionDenied

from programs import services
from programs.models import Cohort, EnrollmentStatus, Program, Scenario
from tests.conftest import actor_for
from tests.factories import EmployeeFactory
from tests.programs.conftest import SMALL_SCENARIO, module_named


@pytest.fixture
def api(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    return client


def test_program_with_modules_through_the_api(api, lnd, scenario):
    response = api.post(
        "/api/v1/programs/",
        {"title": "API program", "audience": "new_managers", "duration_weeks": 4},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pid = response.json()["id"]
    late = api.post(
        f"/api/v1/programs/{pid}/modules/",
        {"title": "Late", "kind": "lesson", "release_week": 9, "body": "x"},
        content_type="application/json",
    )
    assert late.status_code == 400 and "release_week" in late.json()
    ok = api.post(
        f"/api/v1/programs/{pid}/modules/",
        {"title": "Play", "kind": "scenario", "release_week": 1, "scenario_id": scenario.pk},
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert api.get(f"/api/v1/programs/{pid}/").json()["modules"][0]["title"] == "Play"


def test_bad_program_input_is_field_keyed(api):
    response = api.post(
        "/api/v1/programs/",
        {"title": "", "audience": "everyone", "duration_weeks": 99},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"audience", "duration_weeks"} <= set(response.json())


def test_scenario_yaml_import_and_export_through_the_api(api, lnd):
    created = api.post(
        "/api/v1/scenarios/import/", {"content": SMALL_SCENARIO}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    sid = created.json()["id"]
    exported = api.get(f"/api/v1/scenarios/{sid}/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/yaml")
    again = api.post(
        "/api/v1/scenarios/import/",
        {"content": exported.content.decode()},
        content_type="application/json",
    )
    assert again.json()["version"] == 1


def test_invalid_scenario_yaml_lists_every_problem(api, lnd):
    bad = SMALL_SCENARIO.replace("next: private", "next: nowhere").replace(
        "{psychological_safety: -3}", "{psychological_safety: 9}"
    )
    response = api.post(
        "/api/v1/scenarios/import/", {"content": bad}, content_type="application/json"
    )
    assert response.status_code == 400
    errors = response.json()["file"]
    assert any("nowhere" in e for e in errors) and any("between -3 and 3" in e for e in errors)
    assert not Scenario.objects.exists()
    broken = api.post(
        "/api/v1/scenarios/import/", {"content": "title: [oops"}, content_type="application/json"
    )
    assert broken.status_code == 400 and "could not be read" in broken.json()["file"][0]
    empty = api.post("/api/v1/scenarios/import/", {}, content_type="application/json")
    assert empty.status_code == 400 and "file" in empty.json()


def test_cohort_enrolment_and_progress_through_the_api(api, program, template, coach, org):
    # A running cohort's own copy is not a template to open cohorts from.
    copy = api.post(
        "/api/v1/cohorts/",
        {
            "name": "Copy of a copy",
            "program_id": program.pk,
            "start_date": "2026-01-05",
            "capacity": 2,
        },
        content_type="application/json",
    )
    assert copy.status_code == 400
    assert copy.json() == {"program_id": "No such program template in this organisation."}
    response = api.post(
        "/api/v1/cohorts/",
        {
            "name": "API cohort",
            "program_id": template.pk,
            "start_date": "2026-01-05",
            "end_date": "2026-01-01",
            "capacity": 2,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "end_date" in response.json()
    response = api.post(
        "/api/v1/cohorts/",
        {
            "name": "API cohort",
            "program_id": template.pk,
            "start_date": "2026-01-05",
            "capacity": 2,
            "coach_ids": [coach.pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["program_id"] == template.pk
    assert created["program_copy_id"] not in (template.pk, program.pk)
    cid = response.json()["id"]
    people = EmployeeFactory.create_batch(3, organization=org)
    over = api.post(
        f"/api/v1/cohorts/{cid}/enrollments/",
        {"employee_ids": [p.pk for p in people]},
        content_type="application/json",
    )
    assert over.status_code == 400
    assert over.json()["employee_ids"] == ["2 places left; you chose 3."]
    ok = api.post(
        f"/api/v1/cohorts/{cid}/enrollments/",
        {"employee_ids": [p.pk for p in people[:2]]},
        content_type="application/json",
    )
    assert ok.status_code == 201 and all(e["coach"] == coach.email for e in ok.json())
    grid = api.get(f"/api/v1/cohorts/{cid}/progress/").json()
    assert len(grid) == 2 and len(grid[0]["cells"]) == program.modules.count()
    assert Cohort.objects.get(pk=cid).end_date == datetime.date(2026, 3, 30)


def test_learners_and_other_orgs_cannot_use_the_programs_api(client, learner, outsider, program):
    client.force_login(learner)
    assert client.get(f"/api/v1/programs/{program.pk}/").status_code == 403
    assert client.post("/api/v1/programs/", {}, content_type="application/json").status_code == 403
    client.force_login(outsider)  # an L&D manager, of another organisation
    assert client.get(f"/api/v1/programs/{program.pk}/").status_code == 404
    assert client.get("/api/v1/competencies/").json()["count"] == 0


def test_enrollment_read_follows_the_same_rules_as_the_pages(
    client, enrollment, line_manager, outsider, learner
):
    client.force_login(line_manager)
    assert client.get(f"/api/v1/enrollments/{enrollment.pk}/").json()["id"] == enrollment.pk
    client.force_login(outsider)
    assert client.get(f"/api/v1/enrollments/{enrollment.pk}/").status_code == 404
    client.force_login(learner)
    assert client.post(f"/api/v1/enrollments/{enrollment.pk}/withdraw/").status_code == 403


def test_programs_list_query_count_is_flat(api, lnd, django_assert_num_queries):
    def add(n):
        for i in range(n):
            services.program_save(
                actor=lnd, title=f"P{i}-{n}", audience="new_managers", duration_weeks=4
            )

    add(2)
    with django_assert_num_queries(8):
        api.get("/api/v1/programs/")
    add(20)
    with django_assert_num_queries(8):
        api.get("/api/v1/programs/")
    assert Program.objects.count() == 22


def test_learner_reads_their_plan_through_the_api(client, learner, enrollment, outsider):
    client.force_login(learner)
    data = client.get(f"/api/v1/enrollments/{enrollment.pk}/plan/").json()
    assert data["week"] == 2 and data["total"] == 4
    assert {m["status"] for m in data["modules"]} == {"open", "locked"}
    client.force_login(outsider)
    assert client.get(f"/api/v1/enrollments/{enrollment.pk}/plan/").status_code == 404


def test_a_learner_lists_only_their_own_enrolment_never_a_colleagues(
    client, enrollment, peer_enrollment, peer_learner, learner_employee
):
    client.force_login(peer_learner)
    response = client.get("/api/v1/enrollments/")
    assert [row["id"] for row in response.json()["results"]] == [peer_enrollment.pk]
    assert learner_employee.email.encode() not in response.content
    assert client.get(f"/api/v1/enrollments/{enrollment.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["learner", "coach", "line_manager"])
def test_only_lnd_moves_an_enrolment(client, request, enrollment, lnd, program, org, who):
    other = services.cohort_save(
        actor=lnd, program=program, name="Autumn", start_date=org.today(), end_date=None, capacity=5
    )
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        f"/api/v1/enrollments/{enrollment.pk}/move/",
        {"cohort_id": other.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    enrollment.refresh_from_db()
    assert enrollment.status == "active" and enrollment.moved_to is None
    assert not other.enrollments.exists()


def test_the_move_service_refuses_anyone_but_lnd(enrollment, lnd, program, org, coach):
    other = services.cohort_save(
        actor=lnd, program=program, name="Autumn", start_date=org.today(), end_date=None, capacity=5
    )
    with pytest.raises(PermissionDenied):
        services.enrollment_move(
            actor=actor_for(coach, org), enrollment=enrollment, to_cohort=other
        )
    assert not other.enrollments.exists()


def test_enrolments_api_lists_what_each_role_may_see(
    client, enrollment, learner, lnd_manager, line_manager, outsider
):
    for user, expected in [
        (learner, [enrollment.pk]),
        (lnd_manager, [enrollment.pk]),
        (line_manager, [enrollment.pk]),
        (outsider, []),
    ]:
        client.force_login(user)
        listed = client.get("/api/v1/enrollments/").json()["results"]
        assert [row["id"] for row in listed] == expected, user


def test_a_cohort_is_renamed_through_the_api(api, cohort):
    response = api.patch(
        f"/api/v1/cohorts/{cohort.pk}/", {"name": "Renamed"}, content_type="application/json"
    )
    assert response.json()["name"] == "Renamed"
    cohort.refresh_from_db()
    assert cohort.name == "Renamed"


def test_a_learner_is_moved_to_another_cohort_through_the_api(
    api, lnd, cohort, enrollment, template
):
    other = services.cohort_save(
        actor=lnd,
        program=template,
        name="Autumn",
        start_date=cohort.start_date,
        end_date=None,
        capacity=5,
    )
    moved = api.post(
        f"/api/v1/enrollments/{enrollment.pk}/move/",
        {"cohort_id": other.pk},
        content_type="application/json",
    )
    assert moved.status_code == 201 and moved.json()["cohort"] == other.pk
    enrollment.refresh_from_db()
    assert (
        enrollment.status == EnrollmentStatus.MOVED and enrollment.moved_to_id == moved.json()["id"]
    )


def test_a_module_is_edited_and_removed_through_the_api(api, program):
    module = module_named(program, "Later lesson")
    late = api.patch(
        f"/api/v1/modules/{module.pk}/", {"release_week": 40}, content_type="application/json"
    )
    assert late.status_code == 400 and "release_week" in late.json()
    renamed = api.patch(
        f"/api/v1/modules/{module.pk}/",
        {"title": "Renamed lesson"},
        content_type="application/json",
    )
    assert renamed.json()["title"] == "Renamed lesson"
    assert api.delete(f"/api/v1/modules/{module.pk}/").status_code == 204
    assert not program.modules.filter(pk=module.pk).exists()
