"""Enrolling a cohort from a CSV of emails: a stored, checked preview, then everyone or
nobody, the way a roster import works."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.roster import RosterFileError, read_roster_file
from programs import services
from programs.models import (
    EnrollmentImport,
    EnrollmentImportRow,
    EnrollmentImportStatus,
    EnrollmentStatus,
)
from tests.conftest import actor_for
from tests.factories import EmployeeFactory

Status = EnrollmentImportStatus


def upload(actor, cohort, text, filename="people.csv"):
    content = text.encode() if isinstance(text, str) else text
    return services.enrollment_import_start(
        actor=actor, cohort=cohort, filename=filename, content=content
    )


def errors_by_email(batch):
    return {row.email: row.errors for row in batch.rows.all() if row.errors}


def active_learners(cohort):
    return set(
        cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE).values_list(
            "employee__email", flat=True
        )
    )


@pytest.fixture
def ok(org):
    return EmployeeFactory(organization=org, email="ok@acme.test", full_name="Olive Ok")


@pytest.fixture
def also_ok(org):
    return EmployeeFactory(organization=org, email="also@acme.test", full_name="Al So")


@pytest.fixture
def gone(org):
    return EmployeeFactory(
        organization=org,
        email="gone@acme.test",
        termination_date=datetime.date(2024, 1, 1),
        termination_reason="voluntary",
    )


# --- Checking into a preview ----------------------------------------------------------


def test_every_rows_problem_is_stored_with_counts_and_nobody_is_enrolled(
    lnd, cohort, org, ok, gone, learner_employee, enrollment
):
    batch = upload(
        lnd,
        cohort,
        "email\n"
        "ok@acme.test\n"
        "nobody@acme.test\n"
        f"{learner_employee.email}\n"
        "\n"
        "gone@acme.test\n"
        "OK@acme.test\n"
        "not an email\n",
    )
    assert batch.status == Status.INVALID
    rows = {row.row_number: row for row in batch.rows.all()}
    assert sorted(rows) == [2, 3, 4, 6, 7, 8], "numbered as in the file, blank line skipped"
    assert rows[2].errors == [] and rows[2].employee == ok
    assert rows[3].errors == ["nobody@acme.test is not on the roster (unknown email)."]
    assert rows[4].errors == [f"{learner_employee.email} is already enrolled in this cohort."]
    assert rows[6].errors == ["gone@acme.test has left the organisation."]
    assert rows[7].errors == ["ok@acme.test appears twice in the file (first on row 2)."]
    assert rows[8].errors == ["'not an email' is not an email address."]
    assert batch.summary["rows"] == 6
    assert batch.summary["ready"] == 1 and batch.summary["with_problems"] == 5
    assert {p["label"]: p["count"] for p in batch.summary["problems"]} == {
        "Not on the roster": 1,
        "Already enrolled": 1,
        "Left the organisation": 1,
        "Twice in the file": 1,
        "Not an email address": 1,
    }
    with pytest.raises(services.EnrollmentImportNotCommittable, match="without problems"):
        services.enrollment_import_commit(actor=lnd, enrollment_import=batch)
    assert active_learners(cohort) == {learner_employee.email}


def test_the_rows_past_the_cohorts_capacity_are_the_ones_refused(lnd, cohort, org):
    people = EmployeeFactory.create_batch(12, organization=org)
    batch = upload(lnd, cohort, "\n".join(p.email for p in people))
    refused = [row.row_number for row in batch.rows.all() if row.errors]
    assert refused == [11, 12]
    assert "would exceed the cohort's capacity of 10" in batch.rows.get(row_number=12).errors[0]
    assert batch.summary["problems"] == [{"label": "Over the cohort's capacity", "count": 2}]


def test_the_email_column_may_be_any_column_headed_email(lnd, cohort, ok, also_ok):
    batch = upload(lnd, cohort, "name;email\nOlive;ok@acme.test\nAl;also@acme.test\n")
    assert batch.status == Status.PREVIEW
    assert [r.employee for r in batch.rows.all()] == [ok, also_ok]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("émile@acme.test".encode("cp1252"), "not UTF-8"),
        (b"ok@acme.test\x00\n", "NUL character"),
        (b"email\n\n", "no email addresses"),
        (b'"unclosed\n' + b"x" * 200_000, "could not be read"),
        ("".join(f"p{n}@acme.test\n" for n in range(2001)).encode(), "enrol at most 2000"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clear_error_and_no_rows(lnd, cohort, content, message):
    batch = upload(lnd, cohort, content)
    assert batch.status == Status.INVALID
    assert message in batch.file_error
    assert not batch.rows.exists()


def test_the_same_roster_file_message_for_the_same_broken_file(lnd, cohort):
    """One CSV reader for both imports: the wording cannot drift apart."""
    content = "name,email\nÄnne,anne@acme.test\n".encode("cp1252")
    with pytest.raises(RosterFileError) as roster_error:
        read_roster_file(filename="r.csv", content=content, max_rows=10)
    assert upload(lnd, cohort, content).file_error == str(roster_error.value)


def test_checking_a_file_takes_the_same_queries_for_5_rows_as_for_50(lnd, cohort, org):
    people = EmployeeFactory.create_batch(50, organization=org)
    with CaptureQueriesContext(connection) as small:
        upload(lnd, cohort, "\n".join(p.email for p in people[:5]))
    with CaptureQueriesContext(connection) as large:
        upload(lnd, cohort, "\n".join(p.email for p in people))
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Committing or discarding ------------------------------------------------------------


def test_a_clean_file_enrols_everyone_once(lnd, cohort, ok, also_ok, lnd_manager):
    batch = upload(lnd, cohort, "ok@acme.test\nalso@acme.test\n")
    assert batch.status == Status.PREVIEW
    enrolled = services.enrollment_import_commit(actor=lnd, enrollment_import=batch)
    assert {e.employee for e in enrolled} == {ok, also_ok}
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and batch.committed_by == lnd_manager
    with pytest.raises(services.EnrollmentImportNotCommittable, match="already enrolled"):
        services.enrollment_import_commit(actor=lnd, enrollment_import=batch)
    with pytest.raises(services.EnrollmentImportNotCommittable, match="cannot be discarded"):
        services.enrollment_import_discard(actor=lnd, enrollment_import=batch)
    assert active_learners(cohort) == {"ok@acme.test", "also@acme.test"}


def _someone_enrolled_meanwhile(lnd, cohort, person, org):
    services.enrollment_add(actor=lnd, cohort=cohort, employees=[person])
    return f"{person.email} is already enrolled in this cohort."


def _someone_left_meanwhile(lnd, cohort, person, org):
    person.termination_date = org.today() - datetime.timedelta(days=1)
    person.termination_reason = "voluntary"
    person.save()
    return f"{person.email} has left the organisation."


def _the_cohort_filled_up_meanwhile(lnd, cohort, person, org):
    others = EmployeeFactory.create_batch(9, organization=org)
    services.enrollment_add(actor=lnd, cohort=cohort, employees=others)
    return f"{person.email} would exceed the cohort's capacity of 10."


@pytest.mark.parametrize(
    "meanwhile",
    [_someone_enrolled_meanwhile, _someone_left_meanwhile, _the_cohort_filled_up_meanwhile],
)
def test_commit_checks_again_and_a_stale_preview_enrols_nobody(
    lnd, cohort, org, ok, also_ok, meanwhile
):
    batch = upload(lnd, cohort, "ok@acme.test\nalso@acme.test\n")
    assert batch.status == Status.PREVIEW
    problem = meanwhile(lnd, cohort, also_ok, org)
    before = active_learners(cohort)
    with pytest.raises(services.EnrollmentImportNotCommittable) as refused:
        services.enrollment_import_commit(actor=lnd, enrollment_import=batch)
    assert "Nobody was enrolled" in refused.value.messages[0]
    assert problem in refused.value.messages[0]
    assert active_learners(cohort) == before, "not even the row that was still fine"
    batch.refresh_from_db()
    assert batch.status == Status.INVALID
    assert errors_by_email(batch) == {"also@acme.test": [problem]}


def test_a_discarded_file_can_no_longer_be_enrolled(lnd, cohort, ok):
    batch = upload(lnd, cohort, "ok@acme.test\n")
    services.enrollment_import_discard(actor=lnd, enrollment_import=batch)
    batch.refresh_from_db()
    assert batch.status == Status.DISCARDED
    with pytest.raises(services.EnrollmentImportNotCommittable):
        services.enrollment_import_commit(actor=lnd, enrollment_import=batch)
    assert active_learners(cohort) == set()


def test_another_organisations_file_cannot_be_committed(lnd, cohort, ok, outsider, other_org):
    batch = upload(lnd, cohort, "ok@acme.test\n")
    with pytest.raises(EnrollmentImport.DoesNotExist):
        services.enrollment_import_commit(
            actor=actor_for(outsider, other_org), enrollment_import=batch
        )
    assert active_learners(cohort) == set()


# --- Pages ------------------------------------------------------------------------------


@pytest.fixture
def as_lnd(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    return client


def test_the_pages_upload_preview_and_enrol(as_lnd, cohort, ok, also_ok):
    response = as_lnd.post(
        reverse("programs:enrol_csv", args=[cohort.pk]),
        {"file": SimpleUploadedFile("team.csv", b"email\nok@acme.test\nalso@acme.test\n")},
    )
    batch = EnrollmentImport.objects.get(cohort=cohort)
    assert response["Location"] == reverse("programs:enrol_csv_preview", args=[cohort.pk, batch.pk])
    page = as_lnd.get(response["Location"]).content.decode()
    assert "Ready to enrol" in page and "Olive Ok" in page and "Enrol 2 learners" in page
    response = as_lnd.post(reverse("programs:enrol_csv_commit", args=[cohort.pk, batch.pk]))
    assert response["Location"] == reverse("programs:cohort_detail", args=[cohort.pk])
    assert active_learners(cohort) == {"ok@acme.test", "also@acme.test"}
    listing = as_lnd.get(reverse("programs:enrol_csv", args=[cohort.pk])).content.decode()
    assert "team.csv" in listing and "Enrolled" in listing


def test_the_preview_page_lists_every_problem_and_offers_only_discard(as_lnd, cohort, ok, gone):
    batch = upload_via_page(as_lnd, cohort, b"ok@acme.test\ngone@acme.test\nnobody@acme.test\n")
    page = as_lnd.get(reverse("programs:enrol_csv_preview", args=[cohort.pk, batch.pk]))
    text = page.content.decode()
    assert "gone@acme.test has left the organisation." in text
    assert "nobody@acme.test is not on the roster (unknown email)." in text
    assert "Left the organisation: 1" in text and "Not on the roster: 1" in text
    assert "ok@acme.test" not in text, "the problems tab shows only rows with problems"
    assert reverse("programs:enrol_csv_commit", args=[cohort.pk, batch.pk]) not in text
    assert reverse("programs:enrol_csv_discard", args=[cohort.pk, batch.pk]) in text
    assert "ok@acme.test" in as_lnd.get(page.request["PATH_INFO"] + "?show=all").content.decode()
    response = as_lnd.post(reverse("programs:enrol_csv_discard", args=[cohort.pk, batch.pk]))
    assert response["Location"] == reverse("programs:enrol_csv", args=[cohort.pk])
    batch.refresh_from_db()
    assert batch.status == Status.DISCARDED and active_learners(cohort) == set()


def test_a_stale_preview_shows_why_nobody_was_enrolled(as_lnd, lnd, cohort, ok, also_ok):
    batch = upload_via_page(as_lnd, cohort, b"ok@acme.test\nalso@acme.test\n")
    services.enrollment_add(actor=lnd, cohort=cohort, employees=[also_ok])
    response = as_lnd.post(
        reverse("programs:enrol_csv_commit", args=[cohort.pk, batch.pk]), follow=True
    )
    text = response.content.decode()
    assert "Nobody was enrolled" in text
    assert "also@acme.test is already enrolled in this cohort." in text
    assert active_learners(cohort) == {"also@acme.test"}


def upload_via_page(client, cohort, content):
    client.post(
        reverse("programs:enrol_csv", args=[cohort.pk]),
        {"file": SimpleUploadedFile("people.csv", content)},
    )
    return EnrollmentImport.objects.filter(cohort=cohort).latest("id")


def test_the_preview_page_takes_the_same_queries_for_5_rows_as_for_50(as_lnd, lnd, cohort, org):
    people = EmployeeFactory.create_batch(50, organization=org)
    small = upload(lnd, cohort, "\n".join(p.email for p in people[:5]))
    large = upload(lnd, cohort, "\n".join(p.email for p in people))

    def count(batch):
        url = reverse("programs:enrol_csv_preview", args=[cohort.pk, batch.pk]) + "?show=all"
        with CaptureQueriesContext(connection) as queries:
            assert as_lnd.get(url).status_code == 200
        return len(queries.captured_queries)

    assert count(large) == count(small)


def test_people_who_may_not_manage_programs_get_no_enrolment_pages(
    client, lnd, cohort, ok, learner, outsider
):
    batch = upload(lnd, cohort, "ok@acme.test\n")
    client.force_login(learner)
    assert client.get(reverse("programs:enrol_csv", args=[cohort.pk])).status_code == 403
    assert (
        client.post(reverse("programs:enrol_csv_commit", args=[cohort.pk, batch.pk])).status_code
        == 403
    )
    client.force_login(outsider)
    preview = reverse("programs:enrol_csv_preview", args=[cohort.pk, batch.pk])
    assert client.get(preview).status_code == 404
    assert (
        client.post(reverse("programs:enrol_csv_discard", args=[cohort.pk, batch.pk])).status_code
        == 404
    )
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEW and active_learners(cohort) == set()


# --- API --------------------------------------------------------------------------------


def api_upload(client, cohort_id, content):
    return client.post(
        "/api/v1/enrollment-imports/",
        {"cohort_id": cohort_id, "file": SimpleUploadedFile("people.csv", content)},
    )


def test_the_api_uploads_lists_problem_rows_and_commits(as_lnd, cohort, ok, gone):
    created = api_upload(as_lnd, cohort.pk, b"ok@acme.test\ngone@acme.test\n")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "invalid" and body["cohort_id"] == cohort.pk
    assert body["summary"]["with_problems"] == 1
    rows = as_lnd.get(f"/api/v1/enrollment-imports/{body['id']}/rows/?errors=1").json()
    assert [(r["row_number"], r["errors"]) for r in rows["results"]] == [
        (2, ["gone@acme.test has left the organisation."])
    ]
    everything = as_lnd.get(f"/api/v1/enrollment-imports/{body['id']}/rows/").json()
    assert [r["employee_id"] for r in everything["results"]] == [ok.pk, gone.pk]
    refused = as_lnd.post(f"/api/v1/enrollment-imports/{body['id']}/commit/")
    assert refused.status_code == 400 and "without problems" in str(refused.json())
    discarded = as_lnd.post(f"/api/v1/enrollment-imports/{body['id']}/discard/")
    assert discarded.status_code == 200 and discarded.json()["status"] == "discarded"

    clean = api_upload(as_lnd, cohort.pk, b"ok@acme.test\n").json()
    assert clean["status"] == "preview"
    committed = as_lnd.post(f"/api/v1/enrollment-imports/{clean['id']}/commit/")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert active_learners(cohort) == {"ok@acme.test"}
    listed = as_lnd.get(f"/api/v1/enrollment-imports/?cohort={cohort.pk}&status=committed")
    assert [b["id"] for b in listed.json()["results"]] == [clean["id"]]


def test_the_api_is_scoped_to_the_organisation(client, lnd, cohort, ok, outsider, other_org):
    batch = upload(lnd, cohort, "ok@acme.test\n")
    client.force_login(outsider)
    assert client.get("/api/v1/enrollment-imports/").json()["results"] == []
    for url in (
        f"/api/v1/enrollment-imports/{batch.pk}/",
        f"/api/v1/enrollment-imports/{batch.pk}/rows/",
    ):
        assert client.get(url).status_code == 404, url
    for action in ("commit", "discard"):
        response = client.post(f"/api/v1/enrollment-imports/{batch.pk}/{action}/")
        assert response.status_code == 404, action
    foreign = api_upload(client, cohort.pk, b"ok@acme.test\n")
    assert foreign.status_code == 400 and "cohort_id" in foreign.json()
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEW and active_learners(cohort) == set()


def test_the_api_refuses_people_who_may_not_manage_programs(client, lnd, cohort, ok, learner):
    batch = upload(lnd, cohort, "ok@acme.test\n")
    client.force_login(learner)
    assert client.get("/api/v1/enrollment-imports/").status_code == 403
    assert client.post(f"/api/v1/enrollment-imports/{batch.pk}/commit/").status_code == 403
    assert api_upload(client, cohort.pk, b"ok@acme.test\n").status_code == 403
    assert active_learners(cohort) == set()


def test_the_api_rows_take_the_same_queries_for_5_rows_as_for_50(as_lnd, lnd, cohort, org):
    people = EmployeeFactory.create_batch(50, organization=org)
    small = upload(lnd, cohort, "\n".join(p.email for p in people[:5]))
    large = upload(lnd, cohort, "\n".join(p.email for p in people))

    def count(batch):
        with CaptureQueriesContext(connection) as queries:
            assert as_lnd.get(f"/api/v1/enrollment-imports/{batch.pk}/rows/").status_code == 200
        return len(queries.captured_queries)

    assert count(large) == count(small)


# --- The data migration -----------------------------------------------------------------

BEFORE = [("programs", "0003_enrollment_import_rows")]
AFTER = [("programs", "0005_remove_enrollmentimport_legacy_rows")]


@pytest.fixture
def migrated_back_to_latest():
    """Leaves the database fully migrated after a migration test, so tests that run later
    find every table (a migration after AFTER would otherwise stay unapplied)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back_to_latest")
def test_rows_stored_as_json_become_stored_rows(lnd, cohort, ok, gone):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldImport = old_apps.get_model("programs", "EnrollmentImport")
    legacy = [
        {"row": 1, "email": "ok@acme.test", "name": "Olive Ok", "employee_id": ok.pk, "errors": []},
        {
            "row": 2,
            "email": "gone@acme.test",
            "name": "",
            "employee_id": gone.pk,
            "errors": ["has left the organisation."],
        },
    ]
    checked = OldImport.objects.create(cohort_id=cohort.pk, filename="old.csv", legacy_rows=legacy)
    clean = OldImport.objects.create(
        cohort_id=cohort.pk, filename="clean.csv", legacy_rows=legacy[:1]
    )
    done = OldImport.objects.create(
        cohort_id=cohort.pk,
        filename="done.csv",
        legacy_rows=legacy[:1],
        committed_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    statuses = dict(EnrollmentImport.objects.values_list("pk", "status"))
    assert statuses == {
        checked.pk: Status.INVALID,
        clean.pk: Status.PREVIEW,
        done.pk: Status.COMMITTED,
    }
    rows = list(EnrollmentImportRow.objects.filter(enrollment_import_id=checked.pk))
    assert [(r.row_number, r.email, r.employee_id, r.errors) for r in rows] == [
        (1, "ok@acme.test", ok.pk, []),
        (2, "gone@acme.test", gone.pk, ["gone@acme.test has left the organisation."]),
    ]
    summary = EnrollmentImport.objects.get(pk=checked.pk).summary
    assert summary["with_problems"] == 1
    assert summary["problems"] == [{"label": "Left the organisation", "count": 1}]


def test_an_unreadable_csv_is_a_file_error(lnd, cohort):
    batch = services.enrollment_import_start(
        actor=lnd, cohort=cohort, filename="e.csv", content=b'"unclosed\n' + b"x" * 200_000
    )
    assert "could not be read" in batch.file_error
    assert batch.status == EnrollmentImportStatus.INVALID
