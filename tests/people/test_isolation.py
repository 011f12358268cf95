"""Another organisation's objects answer 404, on pages and in the API alike."""

import pytest
from django.urls import reverse

from people import services
from people.models import ApiToken, Membership
from tests.conftest import actor_for
from tests.factories import EmployeeFactory, TeamFactory


@pytest.fixture
def theirs(org, lnd_manager, django_capture_on_commit_callbacks):
    employee = EmployeeFactory(organization=org)
    team = TeamFactory(organization=org, name="Secret team")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.roster_import_start(
            actor=actor_for(lnd_manager, org), filename="r.csv", content=b"email,name\nx@a.test,X\n"
        )
    membership = Membership.objects.get(user=lnd_manager)
    return {"employee": employee, "team": team, "import": batch, "membership": membership}


@pytest.mark.parametrize(
    "url",
    [
        lambda o: reverse("people:detail", args=[o["employee"].pk]),
        lambda o: reverse("people:import_detail", args=[o["import"].pk]),
    ],
)
def test_outsider_gets_404_for_our_pages(client, outsider, theirs, url):
    client.force_login(outsider)
    assert client.get(url(theirs)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda o: reverse("people:import_commit", args=[o["import"].pk]),
        lambda o: reverse("people:grant_access", args=[o["employee"].pk]),
        lambda o: reverse("people:revoke_role", args=[o["membership"].pk]),
    ],
)
def test_outsider_gets_404_posting_to_our_objects(client, outsider, theirs, url):
    client.force_login(outsider)
    assert client.post(url(theirs), {"roles": ["learner"]}).status_code == 404
    assert Membership.objects.filter(pk=theirs["membership"].pk).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", lambda o: f"/api/v1/employees/{o['employee'].pk}/"),
        ("get", lambda o: f"/api/v1/employees/{o['employee'].pk}/history/"),
        ("get", lambda o: f"/api/v1/teams/{o['team'].pk}/"),
        ("patch", lambda o: f"/api/v1/teams/{o['team'].pk}/"),
        ("get", lambda o: f"/api/v1/roster-imports/{o['import'].pk}/"),
        ("post", lambda o: f"/api/v1/roster-imports/{o['import'].pk}/commit/"),
        ("delete", lambda o: f"/api/v1/memberships/{o['membership'].pk}/"),
        ("get", lambda o: f"/api/v1/jobs/{o['import'].job_id}/"),
    ],
)
def test_outsider_gets_404_in_the_api(client, outsider, theirs, method, url):
    client.force_login(outsider)
    response = getattr(client, method)(
        url(theirs), {"name": "Mine now"}, content_type="application/json"
    )
    assert response.status_code == 404
    theirs["team"].refresh_from_db()
    assert theirs["team"].name == "Secret team"


def test_outsider_lists_see_none_of_ours(client, outsider, theirs):
    client.force_login(outsider)
    emails = [e["email"] for e in client.get("/api/v1/employees/").json()["results"]]
    assert theirs["employee"].email not in emails
    assert client.get("/api/v1/teams/").json()["count"] == 0


def test_outsider_token_cannot_reach_our_objects(client, outsider, other_org, theirs):
    _, secret = services.api_token_create(
        actor=actor_for(outsider, other_org), name="script", roles=["lnd_manager"], read_only=False
    )
    response = client.get(
        f"/api/v1/employees/{theirs['employee'].pk}/", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 404
    assert ApiToken.objects.count() == 1


def test_our_lnd_manager_cannot_revoke_another_organisations_role_by_id(
    client, lnd_manager, outsider
):
    theirs = Membership.objects.get(user=outsider)
    client.force_login(lnd_manager)
    assert client.post(reverse("people:revoke_role", args=[theirs.pk])).status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()
