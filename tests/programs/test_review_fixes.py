"""Edge cases found in review of programs: copies, coaches, hostile input, corrections."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import Membership, Role
from programs import scenario_format, services
from programs.models import (
    Enrollment,
    EnrollmentImportStatus,
    ModuleKind,
    ModuleProgress,
    ProgressStatus,
    Reflection,
)
from tests.factories import EmployeeFactory
from tests.programs.conftest import SMALL_SCENARIO, module_named


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
    lesson = module_named(template, "Welcome")
    services.module_save(
        actor=lnd,
        program=template,
        module=lesson,
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


@pytest.mark.parametrize("start", [datetime.date(9999, 12, 1), datetime.date(1900, 1, 1)])
def test_absurd_dates_are_field_errors(lnd, template, start):
    with pytest.raises(ValidationError) as exc:
        services.cohort_save(
            actor=lnd, program=template, name="X", start_date=start, end_date=None, capacity=3
        )
    assert "start_date" in exc.value.message_dict


def test_absurd_dates_on_the_page_and_api_are_not_500(client, lnd_manager, template):
    client.force_login(lnd_manager)
    page = client.post(
        reverse("programs:cohort_new"),
        {
            "name": "F",
            "program": str(template.pk),
            "start_date": "9999-12-01",
            "end_date": "9999-12-30",
            "capacity": "3",
        },
    )
    assert page.status_code == 200 and b"Choose a start date" in page.content
    api = client.post(
        "/api/v1/cohorts/",
        {"name": "F", "program_id": template.pk, "start_date": "9999-12-01", "capacity": 3},
        content_type="application/json",
    )
    assert api.status_code == 400 and "start_date" in api.json()


def test_removing_a_coach_reassigns_their_learners_and_ends_their_access(
    client, lnd, cohort, enrollment, coach, coach_user
):
    services.module_save(
        actor=lnd,
        program=cohort.program,
        title="R",
        kind=ModuleKind.REFLECTION,
        release_week=1,
        body="?",
    )
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


def test_a_coach_whose_role_is_withdrawn_loses_access(client, enrollment, learner_actor, program):
    services.reflection_save(
        actor=learner_actor,
        enrollment=enrollment,
        module=module_named(program, "What did you notice?"),
        text="t",
    )
    coach = enrollment.coach
    Membership.objects.filter(user=coach, role=Role.COACH).delete()
    client.force_login(coach)
    assert (
        client.get(reverse("follow:reflection", args=[Reflection.objects.get().pk])).status_code
        == 404
    )


def test_yaml_aliases_and_huge_scenarios_are_refused_cleanly():
    bomb = "key: x\ntitle: x\na: &a [x, x]\nb: &b [*a, *a]\ncompetencies: [*b]\n"
    with pytest.raises(scenario_format.ScenarioFileError, match="aliases"):
        scenario_format.parse_yaml(bomb)
    steps = "".join(
        f"  - id: s{i}\n    situation: s\n    choices:\n      - {{text: a, feedback: b, next: s{i + 1}}}\n"
        f"      - {{text: c, feedback: d, ending: e}}\n"
        for i in range(300)
    )
    text = f"key: long\ntitle: Long\ncompetencies: [delegation]\nstart: s0\nsteps:\n{steps}endings:\n  - {{id: e, title: E, outcome: weak, text: t}}\n"
    with pytest.raises(scenario_format.ScenarioFileError) as exc:
        scenario_format.validate(
            scenario_format.parse_yaml(text), known_competencies={"delegation"}
        )
    assert "at most 200 steps" in " ".join(exc.value.errors)


def test_a_title_longer_than_the_database_allows_is_an_error():
    with pytest.raises(scenario_format.ScenarioFileError, match="title is longer than 200"):
        scenario_format.validate(
            scenario_format.parse_yaml(SMALL_SCENARIO.replace("A small talk", "x" * 201)),
            known_competencies={"feedback_delivery", "psychological_safety"},
        )


def test_hostile_ids_and_numbers_are_not_500(client, lnd_manager, cohort, template):
    client.force_login(lnd_manager)
    assert (
        client.post(
            reverse("programs:enrol_picker", args=[cohort.pk]),
            {"employee": ["²", "9" * 30]},
            follow=True,
        ).status_code
        == 200
    )
    for path, body in [
        (
            "/api/v1/programs/",
            {
                "title": "x",
                "audience": "new_managers",
                "duration_weeks": 3,
                "competencies": [10**30],
            },
        ),
        (
            "/api/v1/cohorts/",
            {
                "name": "x",
                "program_id": template.pk,
                "start_date": "2026-01-05",
                "capacity": 3,
                "coach_ids": [10**30],
            },
        ),
        (f"/api/v1/cohorts/{cohort.pk}/enrollments/", {"employee_ids": [10**30]}),
    ]:
        assert client.post(path, body, content_type="application/json").status_code == 400, path
    assert client.get("/api/v1/enrollments/abc/").status_code == 404
    assert client.post("/api/v1/enrollments/abc/withdraw/").status_code == 404


def test_an_unreadable_csv_is_a_file_error(lnd, cohort):
    batch = services.enrollment_import_start(
        actor=lnd, cohort=cohort, filename="e.csv", content=b'"unclosed\n' + b"x" * 200_000
    )
    assert "could not be read" in batch.file_error
    assert batch.status == EnrollmentImportStatus.INVALID


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
    assert response.status_code == 200


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


def test_correcting_attendance_to_absent_undoes_completion(lnd, cohort, enrollment):
    live = services.module_save(
        actor=lnd,
        program=cohort.program,
        title="Workshop",
        kind=ModuleKind.LIVE_SESSION,
        release_week=1,
        session_location="Room Ada",
    )
    services.attendance_record(actor=lnd, cohort=cohort, module=live, attended_ids={enrollment.pk})
    assert ModuleProgress.objects.get(module=live).status == ProgressStatus.COMPLETED
    services.attendance_record(actor=lnd, cohort=cohort, module=live, attended_ids=set())
    assert not ModuleProgress.objects.filter(module=live).exists()


def test_retired_competencies_stay_on_edit_but_cannot_be_added(lnd, template):
    comp = template.organization.competencies.get(key="delegation")
    services.program_save(
        actor=lnd,
        program=template,
        title=template.title,
        audience=template.audience,
        duration_weeks=template.duration_weeks,
        competency_ids=[comp.pk],
    )
    services.competency_set_retired(actor=lnd, competency=comp, retired=True)
    services.program_save(
        actor=lnd,
        program=template,
        title="Renamed",
        audience=template.audience,
        duration_weeks=template.duration_weeks,
        competency_ids=[comp.pk],
    )
    with pytest.raises(ValidationError, match="Retired competencies cannot be added"):
        services.program_save(
            actor=lnd,
            title="New",
            audience="new_managers",
            duration_weeks=4,
            competency_ids=[comp.pk],
        )


@pytest.mark.parametrize("learners", [3, 25])
def test_coach_page_queries_do_not_grow(
    client, lnd, cohort, org, learners, django_assert_num_queries
):
    coach = cohort.coaches.first()
    cohort.capacity = 100
    cohort.save()
    Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, employee=p, coach=coach)
        for p in EmployeeFactory.create_batch(learners, organization=org)
    )
    client.force_login(coach)
    with django_assert_num_queries(7):
        assert client.get(reverse("follow:coach_learners")).status_code == 200


def test_enrolments_api_lists_what_each_role_may_see(
    client, enrollment, learner, lnd_manager, line_manager, outsider
):
    for user, expected in [(learner, 1), (lnd_manager, 1), (line_manager, 1), (outsider, 0)]:
        client.force_login(user)
        assert client.get("/api/v1/enrollments/").json()["count"] == expected, user


def test_cohort_patch_move_and_module_edit_through_the_api(
    client, lnd_manager, lnd, cohort, enrollment, template, program
):
    client.force_login(lnd_manager)
    assert (
        client.patch(
            f"/api/v1/cohorts/{cohort.pk}/", {"name": "Renamed"}, content_type="application/json"
        ).json()["name"]
        == "Renamed"
    )
    other = services.cohort_save(
        actor=lnd,
        program=template,
        name="Autumn",
        start_date=cohort.start_date,
        end_date=None,
        capacity=5,
    )
    moved = client.post(
        f"/api/v1/enrollments/{enrollment.pk}/move/",
        {"cohort_id": other.pk},
        content_type="application/json",
    )
    assert moved.status_code == 201 and moved.json()["cohort"] == other.pk
    module = module_named(program, "Later lesson")
    assert (
        client.patch(
            f"/api/v1/modules/{module.pk}/", {"release_week": 40}, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        client.patch(
            f"/api/v1/modules/{module.pk}/",
            {"title": "Renamed lesson"},
            content_type="application/json",
        ).status_code
        == 200
    )
    assert client.delete(f"/api/v1/modules/{module.pk}/").status_code == 204


def test_page_upload_of_a_scenario_with_aliases(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:scenarios"), {"file": SimpleUploadedFile("s.yaml", b"a: &x [1]\nb: *x\n")}
    )
    assert response.status_code == 200 and b"aliases" in response.content
