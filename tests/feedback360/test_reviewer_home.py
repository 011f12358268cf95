"""A rater who has an account finds their pending requests on their home to-do list,
and answers through the same pages as the emailed link."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback360.models import RaterStatus, RaterToken
from tests.factories import EmployeeFactory
from tests.feedback360.factories_reviewer import (  # noqa: F401  (fixtures)
    enrol,
    fixture_cycle,
    fixture_subject,
    rater,
)


def _ask(cycle, subject, employee, status=RaterStatus.INVITED):
    return rater(
        cycle,
        subject,
        name=employee.full_name,
        email=employee.email,
        employee=employee,
        status=status,
    )


def test_a_pending_request_is_on_the_raters_home_and_opens_the_form(
    client, cycle, subject, peer_learner, peer_learner_employee
):
    request = _ask(cycle, subject, peer_learner_employee)
    client.force_login(peer_learner)
    home = client.get("/").content.decode()
    assert "Give feedback for Learner" in home
    url = reverse("feedback360:own_request", args=[request.pk])
    assert f'href="{url}"' in home
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/360/r/")
    assert RaterToken.objects.filter(assignment=request).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Feedback for Learner" in page and "Who will see your answers" in page


def test_opening_a_request_again_and_again_is_bounded(
    client, cycle, subject, peer_learner, peer_learner_employee
):
    from feedback360.services.invitations import MAX_LINKS_PER_DAY

    request = _ask(cycle, subject, peer_learner_employee)
    client.force_login(peer_learner)
    url = reverse("feedback360:own_request", args=[request.pk])
    for _ in range(MAX_LINKS_PER_DAY):
        assert client.get(url)["Location"].startswith("/360/r/")
    response = client.get(url, follow=True)
    assert "You have opened this request many times today." in response.content.decode()
    assert RaterToken.objects.filter(assignment=request).count() == MAX_LINKS_PER_DAY


def test_only_the_rater_sees_and_opens_their_request(
    client, cycle, subject, learner, peer_learner_employee
):
    request = _ask(cycle, subject, peer_learner_employee)
    client.force_login(learner)
    assert "Give feedback for" not in client.get("/").content.decode()
    assert client.get(reverse("feedback360:own_request", args=[request.pk])).status_code == 404
    assert not RaterToken.objects.exists()


def test_answered_declined_unsent_or_closed_requests_leave_the_list(
    client, cycle, subject, peer_learner, peer_learner_employee
):
    request = _ask(cycle, subject, peer_learner_employee, status=RaterStatus.APPROVED)
    client.force_login(peer_learner)
    assert "Give feedback for" not in client.get("/").content.decode()
    for status in (RaterStatus.SUBMITTED, RaterStatus.DECLINED):
        request.status = status
        request.save(update_fields=["status"])
        assert "Give feedback for" not in client.get("/").content.decode()
    response = client.get(reverse("feedback360:own_request", args=[request.pk]))
    assert response.status_code == 410 and "You declined this request" in response.content.decode()
    request.status = RaterStatus.INVITED
    request.save(update_fields=["status"])
    cycle.closes_on = cycle.organization.today() - datetime.timedelta(days=1)
    cycle.opens_on = cycle.closes_on
    cycle.save(update_fields=["closes_on", "opens_on"])
    assert "Give feedback for" not in client.get("/").content.decode()
    assert not RaterToken.objects.exists()


def test_the_to_do_costs_the_same_queries_for_one_request_as_for_many(
    client, org, cycle, subject, peer_learner, peer_learner_employee
):
    _ask(cycle, subject, peer_learner_employee)
    client.force_login(peer_learner)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for n in range(6):
        other = enrol(cycle, EmployeeFactory(organization=org, full_name=f"Learner {n}"))
        _ask(cycle, other, peer_learner_employee)
    with CaptureQueriesContext(connection) as many:
        home = client.get("/").content.decode()
    assert home.count("Give feedback for") == 7
    assert len(many.captured_queries) == len(one.captured_queries)
