import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import selectors, services
from assessments.models import Assessment
from people.models import Role
from programs import services as program_services
from tests.conftest import _persona, actor_for
from tests.factories import EmployeeFactory


@pytest.fixture
def candidates(org, line_manager_employee, lnd):
    return EmployeeFactory.create_batch(2, organization=org, manager=line_manager_employee)


def nominate(lnd, people, org):
    return services.readiness_nominate(
        actor=lnd,
        emails=[p.email for p in people],
        closes_on=org.today() + datetime.timedelta(days=7),
    )


def test_nominating_asks_each_candidates_manager(lnd, candidates, org, line_manager):
    nominations = nominate(lnd, candidates, org)
    assert {n.assessment.rater for n in nominations} == {line_manager}
    assert Assessment.objects.filter(template__kind="readiness").count() == 2
    with pytest.raises(ValidationError, match="already has an open readiness"):
        nominate(lnd, candidates[:1], org)


def test_nomination_problems_are_all_listed_and_nobody_is_nominated(lnd, org):
    gone = EmployeeFactory(
        organization=org, termination_date=datetime.date(2024, 1, 1), termination_reason="voluntary"
    )
    no_manager = EmployeeFactory(organization=org)
    with pytest.raises(ValidationError) as exc:
        services.readiness_nominate(
            actor=lnd,
            emails=["nobody@acme.test", gone.email, no_manager.email],
            closes_on=org.today(),
        )
    text = " ".join(exc.value.messages)
    assert "not on the roster" in text and "has left" in text and "no line manager" in text
    assert not Assessment.objects.exists()


def test_readiness_scores_bands_and_bootcamp_recommendation(lnd, candidates, org, line_manager):
    bootcamp = program_services.program_save(
        actor=lnd, title="Bootcamp", audience="pre_promotion", duration_weeks=3
    )
    strong, weak = nominate(lnd, candidates, org)
    manager = actor_for(line_manager, org)
    for nomination, value in ((strong, 5), (weak, 2)):
        items = nomination.assessment.template.items.all()
        services.assessment_answer(
            actor=manager,
            assessment=nomination.assessment,
            answers={i.key: value for i in items},
            submit=True,
        )
    rows = {r.nomination.pk: r for r in selectors.readiness_list(organization=org)}
    assert rows[strong.pk].readiness.band == "ready" and rows[strong.pk].recommendation is None
    assert rows[weak.pk].readiness.band == "not_yet" and rows[weak.pk].recommendation == bootcamp
    assert len(rows[weak.pk].readiness.large_gaps) == 8


@pytest.mark.parametrize("count", [2, 15])
def test_readiness_list_queries_do_not_grow(
    client, lnd_manager, lnd, org, line_manager_employee, count, django_assert_num_queries
):
    people = EmployeeFactory.create_batch(count, organization=org, manager=line_manager_employee)
    nominate(lnd, people, org)
    client.force_login(lnd_manager)
    with django_assert_num_queries(9):
        response = client.get(reverse("assessments:readiness"))
    assert response.status_code == 200 and response.content.count(b"Waiting") == count


def test_readiness_pages_are_lnd_only(client, learner, outsider, lnd, candidates, org):
    [nomination, _] = nominate(lnd, candidates, org)
    client.force_login(learner)
    assert client.get(reverse("assessments:readiness")).status_code == 403
    detail = reverse("assessments:readiness_detail", args=[nomination.pk])
    # The learner lacks the role (403); the outsider, an L&D manager of another
    # organisation, has it but not this nomination (404).
    for user, status in ((learner, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(detail).status_code == status
    listing = client.get(reverse("assessments:readiness")).content
    assert nomination.candidate.full_name.encode() not in listing


def test_nominated_candidates_managers_find_the_assessment_waiting(
    client, lnd, candidates, org, line_manager
):
    nominate(lnd, candidates, org)
    client.force_login(line_manager)
    page = client.get(reverse("assessments:mine")).content
    assert page.count(b"Pre-promotion readiness") >= 1
    for candidate in candidates:
        assert candidate.full_name.encode() in page


def test_lnd_manager_can_list_only_their_own_nominations(client, lnd, lnd_manager, candidates, org):
    other = _persona(org, "lnd2@acme.test", [Role.LND_MANAGER])[0]
    services.readiness_nominate(
        actor=actor_for(other, org), emails=[candidates[0].email], closes_on=org.today()
    )
    nominate(lnd, candidates[1:], org)
    client.force_login(lnd_manager)
    everyone = client.get(reverse("assessments:readiness")).content
    mine = client.get(reverse("assessments:readiness") + "?mine=1").content
    assert (
        candidates[0].full_name.encode() in everyone
        and candidates[1].full_name.encode() in everyone
    )
    assert candidates[0].full_name.encode() not in mine and candidates[1].full_name.encode() in mine


def test_each_line_manager_is_emailed_a_link_to_each_readiness_assessment(
    lnd, candidates, org, line_manager, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.LODESTAR_BASE_URL = "https://lodestar.example"
    with django_capture_on_commit_callbacks(execute=True):
        nominations = nominate(lnd, candidates, org)
    due = (org.today() + datetime.timedelta(days=7)).strftime("%-d %b %Y")
    assert len(mailoutbox) == 1, "one email per line manager"
    [mail] = mailoutbox
    assert mail.to == [line_manager.email]
    names = sorted(c.full_name for c in candidates)
    assert mail.subject == f"Readiness assessment requested: {', '.join(names)}"
    for nomination in nominations:
        link = f"https://lodestar.example/assessments/{nomination.assessment_id}/"
        assert f"- {nomination.candidate.full_name}, due {due}:\n  {link}" in mail.body


def test_the_readiness_page_says_managers_were_emailed(
    client,
    lnd_manager,
    lnd,
    candidates,
    org,
    line_manager,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(lnd_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:readiness"),
            {
                "emails": "\n".join(c.email for c in candidates),
                "closes_on": (org.today() + datetime.timedelta(days=7)).isoformat(),
            },
            follow=True,
        )
    assert "Nominated 2; their line managers have been emailed." in response.content.decode()
    assert [m.to for m in mailoutbox] == [[line_manager.email]]


def test_readiness_api_nominates_and_lists(client, lnd_manager, org, line_manager_employee):
    person = EmployeeFactory(organization=org, manager=line_manager_employee)
    client.force_login(lnd_manager)
    bad = client.post(
        "/api/v1/readiness/",
        {"emails": ["nobody@x.test"], "closes_on": str(org.today())},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "nobody@x.test is not on the roster" in str(
        bad.json()["emails"]
    )
    ok = client.post(
        "/api/v1/readiness/",
        {"emails": [person.email], "closes_on": str(org.today())},
        content_type="application/json",
    )
    assert ok.status_code == 201
    [listed] = client.get("/api/v1/readiness/").json()
    assert listed["status"] == "draft"
