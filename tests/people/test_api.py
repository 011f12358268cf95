import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.settings import api_settings

from people import services
from people.api.throttling import TokenRateThrottle
from people.models import ApiToken, Membership, Role
from tests.conftest import actor_for
from tests.factories import EmployeeFactory, MembershipFactory, TeamFactory


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def lnd_token(lnd_manager, org):
    _, secret = services.api_token_create(
        actor=actor_for(lnd_manager, org), name="sync", roles=["lnd_manager"], read_only=False
    )
    return secret


def test_token_secret_is_shown_once_and_stored_only_as_a_hash(client, lnd_manager):
    client.force_login(lnd_manager)
    response = client.post("/api/v1/tokens/", {"name": "HRIS sync", "read_only": True})
    assert response.status_code == 201
    secret = response.json()["token"]
    token = ApiToken.objects.get()
    assert secret not in (token.key_hash, token.key_id)
    assert len(token.key_hash) == 64
    assert "token" not in client.get(f"/api/v1/tokens/{token.pk}/").json()


def test_token_authenticates_and_carries_its_roles(client, lnd_token):
    response = client.get("/api/v1/me/", **bearer(lnd_token))
    assert response.status_code == 200
    assert response.json()["roles"] == ["lnd_manager"]


def test_token_cannot_carry_a_role_the_user_does_not_hold(client, learner):
    client.force_login(learner)
    response = client.post(
        "/api/v1/tokens/", {"name": "x", "roles": ["lnd_manager"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "roles" in response.json()


def test_revoked_token_and_revoked_role_stop_working(client, lnd_manager, org, lnd_token):
    assert client.get("/api/v1/roster-imports/", **bearer(lnd_token)).status_code == 200
    Membership.objects.create(organization=org, user=lnd_manager, role=Role.LEARNER)
    Membership.objects.filter(user=lnd_manager, role=Role.LND_MANAGER).delete()
    assert client.get("/api/v1/roster-imports/", **bearer(lnd_token)).status_code == 403

    token = ApiToken.objects.get()
    services.api_token_revoke(user=lnd_manager, token=token)
    assert client.get("/api/v1/me/", **bearer(lnd_token)).status_code == 401


def test_read_only_token_cannot_write(client, lnd_manager, org):
    _, secret = services.api_token_create(
        actor=actor_for(lnd_manager, org), name="ro", roles=["lnd_manager"], read_only=True
    )
    assert client.get("/api/v1/teams/", **bearer(secret)).status_code == 200
    response = client.post(
        "/api/v1/teams/", {"name": "New"}, content_type="application/json", **bearer(secret)
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_garbage_tokens_are_401_not_500(client, db):
    for header in ["Bearer", "Bearer a b", "Bearer lsk_nope", "Bearer lsk_abc_def", "Bearer \x00"]:
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_team_create_errors_are_field_keyed(client, lnd_manager, team):
    client.force_login(lnd_manager)
    response = client.post("/api/v1/teams/", {"name": "platform"}, content_type="application/json")
    assert response.status_code == 400
    assert "already a team" in response.json()["name"][0]
    response = client.post(
        "/api/v1/teams/", {"name": "Data", "lead_id": 999999}, content_type="application/json"
    )
    assert response.status_code == 400 and "lead_id" in response.json()
    response = client.post(
        "/api/v1/teams/", {"name": "Data", "lead_id": "x"}, content_type="application/json"
    )
    assert response.status_code == 400 and "lead_id" in response.json()


def test_learner_cannot_manage_roster_through_the_api(client, learner):
    client.force_login(learner)
    assert (
        client.post("/api/v1/teams/", {"name": "X"}, content_type="application/json").status_code
        == 403
    )
    assert client.get("/api/v1/roster-imports/").status_code == 403


def test_line_manager_sees_self_and_reports_without_salaries(
    client, line_manager, learner_employee, reviewer, lnd_manager
):
    client.force_login(line_manager)
    data = client.get("/api/v1/employees/").json()
    emails = {e["email"] for e in data["results"]}
    assert emails == {line_manager.email, learner_employee.email, reviewer.email}
    assert all("annual_salary" not in e for e in data["results"])
    lnd = client.get(f"/api/v1/employees/?search={lnd_manager.email}").json()
    assert lnd["count"] == 0


def test_lnd_manager_sees_salaries_and_filters(client, lnd_manager, learner_employee, team):
    client.force_login(lnd_manager)
    data = client.get(f"/api/v1/employees/?team={team.pk}&active=true&ordering=full_name").json()
    assert learner_employee.email in {e["email"] for e in data["results"]}
    assert all("annual_salary" in e for e in data["results"])


def test_bad_filter_values_are_400(client, lnd_manager):
    client.force_login(lnd_manager)
    response = client.get("/api/v1/employees/?team=abc")
    assert response.status_code == 400
    assert "team" in response.json()


def test_roster_import_through_the_api(
    client, lnd_manager, org, django_capture_on_commit_callbacks
):
    client.force_login(lnd_manager)
    upload = SimpleUploadedFile(
        "r.csv", b"email,name\nnew@acme.test,New Person\n", content_type="text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/roster-imports/", {"file": upload})
    assert response.status_code == 201, response.content
    batch_id = response.json()["id"]
    # Tasks run in-process in tests; the check ran when the upload committed.
    detail = client.get(f"/api/v1/roster-imports/{batch_id}/").json()
    assert detail["status"] == "preview", detail
    rows = client.get(f"/api/v1/roster-imports/{batch_id}/rows/").json()["results"]
    assert rows[0]["action"] == "create"
    committed = client.post(f"/api/v1/roster-imports/{batch_id}/commit/")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    again = client.post(f"/api/v1/roster-imports/{batch_id}/commit/")
    assert again.status_code == 400
    assert "already applied" in again.json()["non_field_errors"][0]


def test_import_without_a_file_is_a_field_error(client, lnd_manager):
    client.force_login(lnd_manager)
    response = client.post("/api/v1/roster-imports/", {})
    assert response.status_code == 400 and "file" in response.json()


def test_granting_a_role_creates_a_login_and_sends_an_invitation(
    client, lnd_manager, org, mailoutbox
):
    person = EmployeeFactory(organization=org, email="newbie@acme.test")
    client.force_login(lnd_manager)
    with_callbacks = client.post(
        "/api/v1/memberships/",
        {"employee_id": person.pk, "role": "learner"},
        content_type="application/json",
    )
    assert with_callbacks.status_code == 201
    person.refresh_from_db()
    assert person.user.email == "newbie@acme.test"
    assert not person.user.has_usable_password()


def test_last_lnd_manager_cannot_be_removed(client, lnd_manager):
    client.force_login(lnd_manager)
    membership = Membership.objects.get(user=lnd_manager)
    response = client.delete(f"/api/v1/memberships/{membership.pk}/")
    assert response.status_code == 400
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_openapi_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/employees/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    redoc = client.get("/api/redoc/")
    assert redoc.status_code == 200
    assert b"googleapis" not in redoc.content and b"<script>" not in redoc.content
    assert "unsafe-inline" not in redoc["Content-Security-Policy"].split("style-src")[0]


# Session, user, memberships, own employee record, count, page: whatever the roster size.
EMPLOYEE_LIST_QUERIES = 6


@pytest.mark.parametrize("size", [5, 120])
def test_employee_list_query_count_does_not_grow(
    client, lnd_manager, org, size, django_assert_num_queries
):
    team = TeamFactory(organization=org)
    boss = EmployeeFactory(organization=org, team=team)
    EmployeeFactory.create_batch(size, organization=org, team=team, manager=boss)
    client.force_login(lnd_manager)
    with django_assert_num_queries(EMPLOYEE_LIST_QUERIES):
        response = client.get("/api/v1/employees/?page_size=200")
    assert response.status_code == 200
    assert len(response.json()["results"]) == size + 2


def test_employee_list_queries_same_at_two_sizes(client, lnd_manager, org):
    team = TeamFactory(organization=org)
    client.force_login(lnd_manager)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/employees/").status_code == 200
        return len(ctx.captured_queries)

    EmployeeFactory.create_batch(5, organization=org, team=team)
    small = count_queries()
    EmployeeFactory.create_batch(45, organization=org, team=team)
    assert count_queries() == small


def test_each_token_has_its_own_rate_limit(client, lnd_manager, org, settings):
    actor = actor_for(lnd_manager, org)
    _, first = services.api_token_create(actor=actor, name="a", roles=[], read_only=True)
    _, second = services.api_token_create(actor=actor, name="b", roles=[], read_only=True)
    original = TokenRateThrottle.THROTTLE_RATES
    TokenRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/hour"}
    try:
        codes = [client.get("/api/v1/me/", **bearer(first)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert client.get("/api/v1/me/", **bearer(second)).status_code == 200
    finally:
        TokenRateThrottle.THROTTLE_RATES = original


def test_api_root_lists_resources_for_signed_in_users(client, learner):
    client.force_login(learner)
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert "employees" in response.json()


def test_a_token_cannot_create_tokens(client, lnd_token):
    response = client.post(
        "/api/v1/tokens/", {"name": "fresh"}, content_type="application/json", **bearer(lnd_token)
    )
    assert response.status_code == 403
    assert "signed-in session" in response.json()["detail"]
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["sync"]


def test_tokens_are_listed_per_organisation(client, lnd_manager, org, other_org):
    MembershipFactory(organization=other_org, user=lnd_manager, role=Role.EXECUTIVE)
    services.api_token_create(
        actor=actor_for(lnd_manager, other_org), name="globex", roles=None, read_only=True
    )
    services.api_token_create(
        actor=actor_for(lnd_manager, org), name="acme", roles=None, read_only=True
    )
    client.force_login(lnd_manager)
    listed = client.get("/api/v1/tokens/").json()
    assert [t["name"] for t in listed["results"]] == ["acme"]


@pytest.mark.parametrize("header", [" ", "Bearer  ", "Token abc"])
def test_odd_authorization_headers_are_refused_not_500(client, db, header):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403)
    assert response.json()["detail"], "says why, as JSON"


def test_huge_filter_values_are_field_errors(client, lnd_manager):
    client.force_login(lnd_manager)
    response = client.get("/api/v1/employees/?team=99999999999999999999999")
    assert response.status_code == 400
    assert "team" in response.json()


def test_pages_of_people_with_the_same_name_never_overlap(client, lnd_manager, org):
    same = EmployeeFactory.create_batch(6, organization=org, full_name="Sam Same")
    client.force_login(lnd_manager)
    seen = []
    for page in range(1, 7):
        data = client.get(
            f"/api/v1/employees/?search=Sam&ordering=full_name&page_size=1&page={page}"
        )
        seen += [e["id"] for e in data.json()["results"]]
    assert sorted(seen) == sorted(e.pk for e in same)
