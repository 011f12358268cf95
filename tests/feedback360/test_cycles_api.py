"""The cycles API: the same services as the pages, field-keyed 400s, deny by default."""

import datetime

import pytest

from feedback360.models import FeedbackCycle, RaterStatus
from people.models import AuditEntry
from tests.feedback360.factories_cycles import add_raters

pytestmark = pytest.mark.django_db
CYCLES = "/api/v1/feedback360/cycles/"
SETTINGS = "/api/v1/feedback360/settings/"


@pytest.fixture
def api(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    return client


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_a_cycle_is_created_opened_and_closed_through_the_api(api, cohort, questionnaire, org):
    today = org.today()
    created = _post(
        api,
        CYCLES,
        {
            "cohort_id": cohort.pk,
            "phase": "pre",
            "questionnaire_id": questionnaire.pk,
            "opens_on": str(today + datetime.timedelta(days=3)),
            "closes_on": str(today + datetime.timedelta(days=20)),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["peer_threshold"], body["asked_count"]) == ("scheduled", None, 0)
    pk = body["id"]
    opened = _post(api, f"{CYCLES}{pk}/open/")
    assert opened.status_code == 200
    assert (opened.json()["status"], opened.json()["overall_threshold"]) == ("open", 4)
    assert opened.json()["opens_on"] == str(today)
    closed = _post(api, f"{CYCLES}{pk}/close/")
    assert closed.json()["status"] == "closed"
    assert AuditEntry.objects.filter(action="feedback360.cycle_closed_early").count() == 1
    reopened = _post(api, f"{CYCLES}{pk}/open/")
    assert reopened.status_code == 400
    assert reopened.json() == {
        "non_field_errors": ["This cycle is closed, and a closed cycle never reopens."]
    }
    assert FeedbackCycle.objects.get(pk=pk).status == "closed"


def test_bad_dates_are_a_field_keyed_400(api, cohort, questionnaire, org):
    today = org.today()
    response = _post(
        api,
        CYCLES,
        {
            "cohort_id": cohort.pk,
            "phase": "pre",
            "opens_on": str(today + datetime.timedelta(days=3)),
            "closes_on": str(today + datetime.timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    assert response.json() == {"closes_on": ["The closing date must be after the opening date."]}
    assert not FeedbackCycle.objects.exists()


def test_an_unknown_cohort_is_a_field_keyed_400(api, questionnaire, org):
    response = _post(
        api,
        CYCLES,
        {"cohort_id": 999999, "phase": "pre", "opens_on": "2030-01-01", "closes_on": "2030-02-01"},
    )
    assert response.status_code == 400
    assert response.json() == {"cohort_id": ["No such cohort in this organisation."]}


def test_response_rates_are_counts_only(api, open_cycle, enrollment):
    add_raters(open_cycle, enrollment, 2, status=RaterStatus.SUBMITTED)
    add_raters(open_cycle, enrollment, 1)
    response = api.get(f"{CYCLES}{open_cycle.pk}/response-rates/")
    [learner] = response.json()
    assert learner["enrollment_id"] == enrollment.pk
    peers = next(g for g in learner["groups"] if g["group"] == "peer")
    assert peers == {"group": "peer", "asked": 3, "answered": 2}
    assert set(learner) == {"enrollment_id", "name", "groups", "declined"}


def test_an_outsider_gets_404_and_changes_nothing(client, outsider, open_cycle):
    client.force_login(outsider)
    assert client.get(CYCLES).json()["results"] == []
    assert client.get(f"{CYCLES}{open_cycle.pk}/").status_code == 404
    assert _post(client, f"{CYCLES}{open_cycle.pk}/close/").status_code == 404
    open_cycle.refresh_from_db()
    assert open_cycle.status == "open"


@pytest.mark.parametrize("persona", ["learner", "coach", "line_manager"])
def test_other_roles_get_403(client, request, persona, open_cycle):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(CYCLES).status_code == 403
    assert _post(client, f"{CYCLES}{open_cycle.pk}/close/").status_code == 403
    assert client.get(SETTINGS).status_code == 403
    open_cycle.refresh_from_db()
    assert open_cycle.status == "open"


def test_settings_below_the_floor_are_a_field_keyed_400(api, org):
    response = api.patch(
        SETTINGS,
        {"stakeholder_threshold": 2, "overall_threshold": 3},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"stakeholder_threshold", "overall_threshold"}
    assert body["stakeholder_threshold"][0].startswith("At least 3")
    assert api.get(SETTINGS).json()["stakeholder_threshold"] == 3
    ok = api.patch(SETTINGS, {"rater_cap": 9}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["rater_cap"] == 9


def test_settings_out_of_bounds_or_not_numbers_are_400s(api):
    for value in (10**20, "three", -1):
        response = api.patch(SETTINGS, {"peer_threshold": value}, content_type="application/json")
        assert response.status_code == 400, value
        assert list(response.json()) == ["peer_threshold"]


def test_the_schema_states_the_threshold_floors_the_service_enforces():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = schema["components"]["schemas"]["Settings"]["properties"]
    assert (fields["peer_threshold"]["minimum"], fields["peer_threshold"]["maximum"]) == (3, 20)
    assert fields["overall_threshold"]["minimum"] == 4
