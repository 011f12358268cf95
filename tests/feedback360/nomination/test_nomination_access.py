"""Who sees which 360 raters: the exact rows each persona gets from the API, and which
learners' rater pages open for them. Detail agrees with the list; anything else,
another organisation's above all, is a 404."""

import pytest
from django.urls import reverse

from feedback360.models import RaterGroup, RaterStatus
from tests.feedback360.factories_nomination import rater_row

PERSONAS = [
    "learner",
    "peer_learner",
    "line_manager",
    "former_line_manager",
    "coach",
    "lnd_manager",
    "executive",
    "outsider",
]


@pytest.fixture
def lists(cycle, enrollment, peer_enrollment, colleagues):
    """Two raters for the learner (one awaiting approval), one for the peer learner."""
    return {
        "learner": [
            rater_row(cycle, enrollment, colleagues[0]),
            rater_row(cycle, enrollment, colleagues[1], status=RaterStatus.APPROVED),
        ],
        "peer": [rater_row(cycle, peer_enrollment, colleagues[2], group=RaterGroup.STAKEHOLDER)],
    }


@pytest.fixture
def personas(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def expected_rows(lists) -> dict[str, set]:
    learner = {r.pk for r in lists["learner"]}
    peer = {r.pk for r in lists["peer"]}
    return {
        "learner": learner,
        "peer_learner": peer,
        # The peer learner reports to nobody on the roster.
        "line_manager": learner,
        "former_line_manager": set(),
        "coach": set(),
        "lnd_manager": learner | peer,
        "executive": set(),
        "outsider": set(),
    }


@pytest.mark.django_db
def test_each_persona_lists_exactly_the_raters_theirs_to_see(client, lists, personas):
    expected = expected_rows(lists)
    for name, user in personas.items():
        client.force_login(user)
        got = client.get("/api/v1/360-raters/")
        assert got.status_code == 200, name
        assert {r["id"] for r in got.json()["results"]} == expected[name], name


@pytest.mark.django_db
def test_detail_agrees_with_the_list(client, lists, personas):
    expected = expected_rows(lists)
    every = [r.pk for rows in lists.values() for r in rows]
    for name, user in personas.items():
        client.force_login(user)
        for pk in every:
            status = client.get(f"/api/v1/360-raters/{pk}/").status_code
            assert status == (200 if pk in expected[name] else 404), (name, pk)


@pytest.mark.django_db
def test_each_persona_opens_exactly_the_rater_pages_theirs_to_see(
    client, lists, personas, cycle, enrollment, peer_enrollment
):
    pages = {
        "learner": reverse("feedback360:subject_raters", args=[cycle.pk, enrollment.pk]),
        "peer": reverse("feedback360:subject_raters", args=[cycle.pk, peer_enrollment.pk]),
    }
    opens = {
        "learner": {"learner"},
        "peer_learner": {"peer"},
        "line_manager": {"learner"},
        "former_line_manager": set(),
        "coach": set(),
        "lnd_manager": {"learner", "peer"},
        "executive": set(),
        "outsider": set(),
    }
    for name, user in personas.items():
        client.force_login(user)
        for page, url in pages.items():
            response = client.get(url)
            assert response.status_code == (200 if page in opens[name] else 404), (name, page)
            if response.status_code == 200:
                names = [r.name for r in lists[page]]
                assert all(n in response.content.decode() for n in names), (name, page)


@pytest.mark.django_db
def test_the_approval_list_shows_reports_to_the_line_manager_and_everyone_to_lnd(
    client, lists, personas, enrollment, peer_enrollment
):
    seen = {}
    for name, user in personas.items():
        client.force_login(user)
        response = client.get(reverse("feedback360:rater_overview"))
        seen[name] = (
            response.status_code,
            [r.subject.pk for r in response.context["rows"]] if response.status_code == 200 else [],
        )
    assert seen == {
        "learner": (403, []),
        "peer_learner": (403, []),
        "line_manager": (200, [enrollment.pk]),
        # A former manager who manages nobody now is not a line manager at all.
        "former_line_manager": (403, []),
        "coach": (403, []),
        "lnd_manager": (200, sorted([enrollment.pk, peer_enrollment.pk], key=lambda pk: pk)),
        "executive": (403, []),
        "outsider": (200, []),
    }


@pytest.mark.django_db
def test_another_organisations_cycle_is_a_404(client, outsider, cycle, enrollment, colleagues):
    client.force_login(outsider)
    assert client.get(reverse("feedback360:my_raters", args=[cycle.pk])).status_code == 403
    assert (
        client.get(
            reverse("feedback360:subject_raters", args=[cycle.pk, enrollment.pk])
        ).status_code
        == 404
    )
    created = client.post(
        "/api/v1/360-raters/",
        {
            "cycle": cycle.pk,
            "subject": enrollment.pk,
            "group": "peer",
            "employee": colleagues[0].pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 404
