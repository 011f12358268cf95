"""Out-of-bounds program input is a field error, never a 500, and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs import services
from programs.models import (
    Competency,
    EnrollmentImport,
    EnrollmentImportStatus,
    EnrollmentStatus,
    Module,
    ModuleKind,
    Program,
    Reflection,
    SbiEntry,
    Scenario,
    ScenarioVersion,
)
from tests.programs.conftest import SMALL_SCENARIO, module_named

DEEP_YAML = "[" * 400 + "]" * 400


@pytest.fixture
def api(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    return client


# --- YAML -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (DEEP_YAML, "nested more than 20 levels deep"),
        ("{" * 300 + "}" * 300, "nested more than 20 levels deep"),
        ("".join(" " * i + "k:\n" for i in range(300)) + " " * 300 + "x", "nested more than 20"),
        ("items: [" + ", ".join(["1"] * 60_000) + "]", "more than 50000 values"),
        ('title: "Sam\\0"\n', "NUL character"),
        ("estimated_minutes: " + "9" * 5000 + "\n", "cannot be read"),
        ("x: " + "a" * 300_000, "no more than 262144 characters"),
    ],
)
def test_hostile_yaml_to_the_scenario_import_is_a_400_naming_the_file(api, content, message):
    versions = ScenarioVersion.objects.count()
    response = api.post(
        "/api/v1/scenarios/import/", {"content": content}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert any(message in error for error in response.json().get("file", [])) or message in str(
        response.json()
    )
    assert ScenarioVersion.objects.count() == versions


def test_overlong_scenario_text_is_refused(api):
    long = SMALL_SCENARIO.replace("Private and curious.", "x" * 10_001)
    response = api.post(
        "/api/v1/scenarios/import/", {"content": long}, content_type="application/json"
    )
    assert response.status_code == 400
    assert any("longer than 10000 characters" in e for e in response.json()["file"])
    assert not Scenario.objects.filter(key="small-talk").exists()


def test_the_scenario_editor_pages_show_yaml_bounds_as_form_errors(client, lnd_manager, scenario):
    client.force_login(lnd_manager)
    versions = ScenarioVersion.objects.count()
    new = client.post(reverse("programs:scenario_new"), {"content": DEEP_YAML})
    assert new.status_code == 200 and b"nested more than 20 levels deep" in new.content
    edit = client.post(
        reverse("programs:scenario_detail", args=[scenario.pk]), {"content": 'key: "a\\0"'}
    )
    assert edit.status_code == 200 and b"NUL character" in edit.content
    upload = client.post(
        reverse("programs:scenarios"),
        {"file": _upload("deep.yaml", DEEP_YAML.encode())},
    )
    assert upload.status_code == 200 and b"nested more than 20 levels deep" in upload.content
    nul = client.post(reverse("programs:scenario_new"), {"content": "key: a\x00"})
    assert nul.status_code == 200 and b"Null characters are not allowed" in nul.content
    assert ScenarioVersion.objects.count() == versions


def _upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content)


# --- CSV --------------------------------------------------------------------------


def test_a_nul_byte_in_an_enrolment_csv_is_a_clear_file_error(
    client, lnd_manager, cohort, learner_employee
):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:enrol_csv", args=[cohort.pk]),
        {"file": _upload("people.csv", f"email\n{learner_employee.email}\x00\n".encode())},
    )
    batch = EnrollmentImport.objects.get(cohort=cohort)
    assert response.status_code == 302
    assert "NUL character" in batch.file_error and not batch.rows.exists()
    assert batch.status == EnrollmentImportStatus.INVALID
    page = client.get(response["Location"])
    assert b"NUL character" in page.content
    assert not cohort.enrollments.exists()


def test_an_enrolment_csv_over_the_size_limit_is_a_form_error(
    client, lnd_manager, cohort, settings
):
    settings.LODESTAR_IMPORT_MAX_BYTES = 1024
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:enrol_csv", args=[cohort.pk]),
        {"file": _upload("people.csv", b"a@acme.test\n" * 200)},
    )
    assert response.status_code == 200 and b"the limit is 1 KB" in response.content
    assert not EnrollmentImport.objects.exists()


# --- Dates ------------------------------------------------------------------------


def test_a_session_in_year_9999_is_refused_and_the_pages_keep_working(
    api, lnd_manager, cohort, enrollment
):
    module = module_named(cohort.program, "Welcome")
    for when in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "1950-01-01T10:00:00Z"):
        response = api.patch(
            f"/api/v1/modules/{module.pk}/",
            {"session_starts_at": when},
            content_type="application/json",
        )
        assert response.status_code == 400 and "session_starts_at" in response.json(), when
    fields = {
        "module-title": "Welcome",
        "module-kind": "live_session",
        "module-release_week": 1,
        "module-estimated_minutes": 15,
        "module-session_location": "Room 1",
    }
    for when, message in (
        ("9999-12-31T23:59", b"between 1900 and 2100"),
        ("1950-01-01T10:00", b"Choose a session date between 2000"),
    ):
        page = api.post(
            reverse("programs:module_edit", args=[module.pk]),
            {**fields, "module-session_starts_at": when},
        )
        assert page.status_code == 200 and message in page.content
    module.refresh_from_db()
    assert module.session_starts_at is None and module.kind == ModuleKind.LESSON
    for url in (
        reverse("programs:cohort_detail", args=[cohort.pk]),
        reverse("programs:module_edit", args=[module.pk]),
        reverse("programs:attendance", args=[cohort.pk, module.pk]),
    ):
        assert api.get(url).status_code in (200, 404), url


def test_cohort_dates_out_of_range_are_field_errors_in_the_api(api, template):
    for start in ("9999-12-01", "0001-01-01"):
        response = api.post(
            "/api/v1/cohorts/",
            {"name": "F", "program_id": template.pk, "start_date": start, "capacity": 3},
            content_type="application/json",
        )
        assert response.status_code == 400 and "start_date" in response.json()
    response = api.post(
        "/api/v1/cohorts/",
        {
            "name": "F",
            "program_id": template.pk,
            "start_date": "2026-01-05",
            "end_date": "9999-01-01",
            "capacity": 3,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "end_date" in response.json()


# --- Text -------------------------------------------------------------------------


def test_overlong_and_nul_text_in_the_programs_api_are_field_errors(api, template):
    module = template.modules.first()
    cases = [
        (
            "post",
            "/api/v1/programs/",
            {
                "title": "P",
                "audience": "new_managers",
                "duration_weeks": 4,
                "description": "x" * 10_001,
            },
            "description",
        ),
        (
            "post",
            "/api/v1/programs/",
            {"title": "P\x00", "audience": "new_managers", "duration_weeks": 4},
            "title",
        ),
        ("post", "/api/v1/competencies/", {"name": "N", "description": "x" * 2001}, "description"),
        ("post", "/api/v1/competencies/", {"name": "x" * 121}, "name"),
        ("patch", f"/api/v1/modules/{module.pk}/", {"body": "x" * 50_001}, "body"),
        (
            "patch",
            f"/api/v1/modules/{module.pk}/",
            {"session_location": "Room\x00"},
            "session_location",
        ),
        ("post", "/api/v1/scenarios/import/", {"content": "x" * 300_000}, "content"),
    ]
    programs, competencies = Program.objects.count(), Competency.objects.count()
    for method, url, body, field in cases:
        response = getattr(api, method)(url, body, content_type="application/json")
        assert response.status_code == 400 and field in response.json(), (url, field)
    module.refresh_from_db()
    assert len(module.body) < 50_001
    assert (Program.objects.count(), Competency.objects.count()) == (programs, competencies)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"capacity": 10**9}, "capacity"),
        ({"capacity": 2**70}, "capacity"),
        ({"coach_ids": [2**70]}, "coach_ids"),
        ({"facilitator_id": 10**40}, "facilitator_id"),
    ],
)
def test_huge_numbers_for_a_cohort_are_field_errors(api, cohort, body, field):
    response = api.patch(f"/api/v1/cohorts/{cohort.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    cohort.refresh_from_db()
    assert cohort.capacity == 10


@pytest.mark.parametrize(
    "body, field",
    [
        ({"estimated_minutes": 70_000}, "estimated_minutes"),
        ({"release_week": 40_000}, "release_week"),
        ({"competencies": [10**30]}, "competencies"),
        ({"scenario_id": 10**30}, "scenario_id"),
    ],
)
def test_huge_numbers_for_a_module_are_field_errors(api, template, body, field):
    module = template.modules.first()
    response = api.patch(f"/api/v1/modules/{module.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and field in response.json()
    assert Module.objects.get(pk=module.pk).estimated_minutes == module.estimated_minutes


def test_learner_writing_is_bounded_on_the_pages(client, learner, cohort, enrollment, lnd):
    reflection = services.module_save(
        actor=lnd,
        program=cohort.program,
        title="Think",
        kind=ModuleKind.REFLECTION,
        release_week=1,
        body="?",
    )
    client.force_login(learner)
    page = client.post(
        reverse("learn:module", args=[enrollment.pk, reflection.pk]), {"text": "x" * 10_001}
    )
    assert page.status_code == 200 and b"at most 10000 characters" in page.content
    page = client.post(
        reverse("learn:module", args=[enrollment.pk, reflection.pk]), {"text": "a\x00b"}
    )
    assert page.status_code == 200 and b"Null characters are not allowed" in page.content
    assert not Reflection.objects.exists()
    practice = client.post(
        reverse("learn:practice", args=[enrollment.pk]),
        {"sbi-situation": "x" * 2001, "sbi-behavior": "b", "sbi-impact": "i"},
    )
    assert practice.status_code == 200 and b"at most 2000 characters" in practice.content
    assert not SbiEntry.objects.exists()


def test_search_and_filter_parameters_on_programs_are_bounded(api, cohort):
    for query in ("q=%00", "q=" + "x" * 5000, "team=99999999999999999999", "manager=%00"):
        response = api.get(reverse("programs:enrol_picker", args=[cohort.pk]) + "?" + query)
        assert b">Enrol from the roster</h1>" in response.content, query
    for query in ("search=%00", "program=99999999999999999999", "ordering=%00", "page=0"):
        response = api.get("/api/v1/cohorts/?" + query)
        assert response.status_code in (200, 400, 404), query
    assert cohort.start_date <= datetime.date.today()


def test_yaml_nested_twenty_levels_is_read_and_twenty_one_is_refused(api):
    """The mapping is level 1; lists inside its value start at level 2."""

    def errors(lists):
        content = "key: " + "[" * lists + "]" * lists + "\n"
        response = api.post(
            "/api/v1/scenarios/import/", {"content": content}, content_type="application/json"
        )
        assert response.status_code == 400
        return str(response.json())

    assert "nested" not in errors(19)
    assert "nested more than 20 levels deep" in errors(20)


def test_a_nul_character_in_a_yaml_key_is_refused(api):
    content = SMALL_SCENARIO + '"note\\0": hidden\n'
    response = api.post(
        "/api/v1/scenarios/import/", {"content": content}, content_type="application/json"
    )
    assert response.status_code == 400 and "NUL character" in str(response.json())
    assert not ScenarioVersion.objects.exists()


@pytest.mark.parametrize("start", [datetime.date(9999, 12, 1), datetime.date(1900, 1, 1)])
def test_absurd_cohort_dates_are_field_errors(lnd, template, start):
    with pytest.raises(ValidationError) as exc:
        services.cohort_save(
            actor=lnd, program=template, name="X", start_date=start, end_date=None, capacity=3
        )
    assert "Choose a start date" in exc.value.message_dict["start_date"][0]


def test_absurd_cohort_dates_on_the_page_and_api_are_field_errors(client, lnd_manager, template):
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


def test_hostile_ids_on_the_enrol_page_are_refused_with_a_message(client, lnd_manager, cohort):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:enrol_picker", args=[cohort.pk]),
        {"employee": ["²", "9" * 30]},
        follow=True,
    )
    assert response.status_code == 200
    assert not cohort.enrollments.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/programs/",
            {
                "title": "x",
                "audience": "new_managers",
                "duration_weeks": 3,
                "competencies": [10**30],
            },
            "competencies",
        ),
        (
            "/api/v1/cohorts/",
            {
                "name": "x",
                "program_id": "TEMPLATE",
                "start_date": "2026-01-05",
                "capacity": 3,
                "coach_ids": [10**30],
            },
            "coach_ids",
        ),
        ("/api/v1/cohorts/COHORT/enrollments/", {"employee_ids": [10**30]}, "employee_ids"),
    ],
)
def test_hostile_ids_in_the_api_are_field_errors(
    client, lnd_manager, cohort, template, path, body, field
):
    client.force_login(lnd_manager)
    path = path.replace("COHORT", str(cohort.pk))
    body = {k: template.pk if v == "TEMPLATE" else v for k, v in body.items()}
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()


def test_non_numeric_enrolment_ids_in_the_api_are_404(client, lnd_manager, enrollment):
    client.force_login(lnd_manager)
    assert client.get("/api/v1/enrollments/abc/").status_code == 404
    assert client.post("/api/v1/enrollments/abc/withdraw/").status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
