"""Inputs found by probing the running app from outside: each gave a 500 or tied up a
worker. Now each is a clear error and nothing is written."""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import ApiToken, Membership
from programs.models import Module, Program, Scenario

SURROGATE = "\ud800"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/programs/", {"title": "P", "audience": SURROGATE, "duration_weeks": 4}),
        ("/api/v1/memberships/", {"employee_id": 1, "role": SURROGATE}),
        ("/api/v1/tokens/", {"name": "t", "roles": [SURROGATE]}),
        ("/api/v1/scenarios/import/", {"content": f'key: "{SURROGATE}"\n'}),
        ("/api/v1/programs/", {SURROGATE: 1}),
    ],
)
def test_a_lone_surrogate_is_a_clear_400(client, lnd_manager, lnd, url, body):
    client.force_login(lnd_manager)
    before = (Program.objects.count(), Membership.objects.count(), ApiToken.objects.count())
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "invalid character" in response.json()["detail"]
    after = (Program.objects.count(), Membership.objects.count(), ApiToken.objects.count())
    assert after == before


def test_a_surrogate_inside_a_yaml_file_is_a_file_error(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    upload = SimpleUploadedFile("s.yaml", b'key: "\\ud800"\ntitle: x\n')
    response = client.post("/api/v1/scenarios/import/", {"file": upload})
    assert response.status_code == 400
    assert "invalid character" in response.json()["file"][0]
    assert not Scenario.objects.filter(
        organization__slug="acme-test", key__startswith="\\"
    ).exists()


def test_an_id_of_thousands_of_digits_is_ignored_not_a_500(client, lnd_manager, cohort):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:enrol_picker", args=[cohort.pk]), {"employee": "9" * 5000}
    )
    assert response.status_code in (200, 302)
    assert not cohort.enrollments.exists()


def test_a_lesson_that_would_take_minutes_to_show_is_refused(client, lnd_manager, program):
    client.force_login(lnd_manager)
    lesson = program.modules.get(title="Welcome")
    for body in ("[" * 600 + "x" + "]" * 600, "[a](" * 600):
        response = client.patch(
            f"/api/v1/modules/{lesson.pk}/", {"body": body}, content_type="application/json"
        )
        assert response.status_code == 400
        assert "at most 500 square brackets" in response.json()["body"][0]
    assert Module.objects.get(pk=lesson.pk).body == "# Hello\n\nRead this."


@pytest.mark.parametrize("raw", ["lsk_a\x00b_c", "lsk_" + "a" * 40 + "_x", "lsk__", "lsk_é_x"])
def test_a_malformed_token_is_a_401_before_any_lookup(db, client, raw, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("url", "field_extra", "service"),
    [
        ("/api/v1/roster-imports/", {}, "people.services.roster_import_start"),
        (
            "/api/v1/enrollment-imports/",
            {"cohort_id": None},
            "programs.services.enrollment_import_start",
        ),
        ("/api/v1/scenarios/import/", {}, "programs.services.scenario_import"),
    ],
)
def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    client, lnd_manager, lnd, cohort, settings, monkeypatch, url, field_extra, service
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from people.models import RosterImport
    from programs.models import EnrollmentImport

    settings.LODESTAR_IMPORT_MAX_BYTES = 1024
    # The serializer refuses it: the service, which reads the whole file, never runs.
    module, name = service.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, None)
    client.force_login(lnd_manager)
    body = {"file": SimpleUploadedFile("big.csv", b"email\n" + b"a@b.test\n" * 40_000)}
    if "cohort_id" in field_extra:
        body["cohort_id"] = cohort.pk
    response = client.post(url, body)
    assert response.status_code == 400
    assert "the limit is" in str(response.json()["file"])
    assert not RosterImport.objects.exists() and not EnrollmentImport.objects.exists()
