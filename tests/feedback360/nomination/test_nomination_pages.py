"""The nomination and approval pages and API: what a learner and a line manager see and
do, the messages on bad input (nothing changes then), and the same number of queries for
5 raters as for 50."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback360.models import RaterAssignment, RaterGroup, RaterStatus
from tests.factories import EmployeeFactory
from tests.feedback360.factories_nomination import other_learners, rater_row, settings_for


def subject_url(cycle, enrollment):
    return reverse("feedback360:subject_raters", args=[cycle.pk, enrollment.pk])


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.mark.django_db
class TestLearnerPage:
    def test_my_raters_leads_to_the_learners_own_list(self, client, learner, cycle, enrollment):
        client.force_login(learner)
        response = client.get(reverse("feedback360:my_raters", args=[cycle.pk]))
        assert response.status_code == 302 and response.url == subject_url(cycle, enrollment)

    def test_the_learner_adds_someone_outside_the_roster(self, client, learner, cycle, enrollment):
        client.force_login(learner)
        response = client.post(
            subject_url(cycle, enrollment),
            {
                "group": "stakeholder",
                "employee": "",
                "name": "Pat Product",
                "email": "pat@p.example",
            },
            follow=True,
        )
        assert "Added Pat Product to Stakeholders; awaiting approval." in text(response)
        row = RaterAssignment.objects.get()
        assert (row.name, row.email, row.status) == ("Pat Product", "pat@p.example", "nominated")

    def test_bad_input_is_a_field_error_and_changes_nothing(
        self, client, learner, cycle, enrollment, colleagues
    ):
        rater_row(cycle, enrollment, colleagues[0])
        client.force_login(learner)
        before = list(RaterAssignment.objects.values_list("pk", "group", "status"))
        cases = [
            ({"group": "peer", "employee": "", "name": "", "email": ""}, "Give the rater's email"),
            ({"group": "peer", "employee": "abc"}, "Select a valid choice"),
            ({"group": "boss", "employee": str(colleagues[1].pk)}, "Select a valid choice"),
            ({"group": "peer", "name": "X", "email": "nope"}, "Enter a valid email address."),
            (
                {"group": "stakeholder", "employee": str(colleagues[0].pk)},
                "Colleague 1 is already asked as Peers for Learner",
            ),
        ]
        for data, message in cases:
            response = client.post(subject_url(cycle, enrollment), data)
            assert response.status_code == 400, data
            assert message in text(response), data
        assert list(RaterAssignment.objects.values_list("pk", "group", "status")) == before

    def test_the_page_says_which_groups_are_short(self, client, learner, cycle, enrollment, org):
        settings_for(org, peers_min=3)
        client.force_login(learner)
        page = text(client.get(subject_url(cycle, enrollment)))
        assert "Peers (0, at least 3, at most 8)" in page
        assert "Nominate at least 3 before your line manager can approve." in page
        assert "Approve" not in page


@pytest.mark.django_db
class TestApprovalPage:
    def test_the_line_manager_approves_the_list(
        self, client, line_manager, cycle, enrollment, colleagues, org
    ):
        settings_for(org, peers_min=2)
        for c in colleagues[:2]:
            rater_row(cycle, enrollment, c)
        client.force_login(line_manager)
        page = text(client.get(subject_url(cycle, enrollment)))
        assert "2 awaiting approval" in page
        response = client.post(
            reverse("feedback360:raters_approve", args=[cycle.pk, enrollment.pk]), follow=True
        )
        assert "Approved 2 raters for Learner." in text(response)
        assert set(RaterAssignment.objects.values_list("status", flat=True)) == {"approved"}

    def test_approval_short_of_a_minimum_says_so_and_changes_nothing(
        self, client, line_manager, cycle, enrollment, colleagues, org
    ):
        settings_for(org, peers_min=3)
        rater_row(cycle, enrollment, colleagues[0])
        client.force_login(line_manager)
        response = client.post(
            reverse("feedback360:raters_approve", args=[cycle.pk, enrollment.pk]), follow=True
        )
        assert "Not approved: Peers need at least 3 raters; 1 is nominated." in text(response)
        assert RaterAssignment.objects.get().status == RaterStatus.NOMINATED

    def test_the_line_manager_moves_and_removes_a_rater(
        self, client, line_manager, cycle, enrollment, colleagues
    ):
        row = rater_row(cycle, enrollment, colleagues[0])
        client.force_login(line_manager)
        client.post(reverse("feedback360:rater_group", args=[row.pk]), {"group": "stakeholder"})
        row.refresh_from_db()
        assert row.group == RaterGroup.STAKEHOLDER
        confirm = client.get(reverse("feedback360:rater_remove", args=[row.pk]))
        assert "Remove Colleague 1?" in text(confirm)
        row.refresh_from_db()
        assert row.status == RaterStatus.NOMINATED  # asking is not removing
        client.post(reverse("feedback360:rater_remove", args=[row.pk]))
        row.refresh_from_db()
        assert row.status == RaterStatus.REMOVED

    def test_the_learner_replaces_a_rater_who_declined(
        self, client, learner, cycle, enrollment, colleagues
    ):
        declined = rater_row(cycle, enrollment, colleagues[0], status=RaterStatus.DECLINED)
        client.force_login(learner)
        page = text(client.get(subject_url(cycle, enrollment)))
        assert "Nominate a replacement" in page
        response = client.post(
            reverse("feedback360:rater_replace", args=[declined.pk]),
            {"group": "peer", "employee": str(colleagues[1].pk)},
            follow=True,
        )
        assert "Colleague 2 replaces Colleague 1." in text(response)
        assert "(replaces Colleague 1)" in text(response)


@pytest.mark.django_db
class TestApi:
    def test_nominating_through_the_api_answers_a_field_keyed_400(
        self, client, learner, cycle, enrollment, colleagues, org
    ):
        settings_for(org, peers_min=1, peers_max=1)
        client.force_login(learner)
        ok = client.post(
            "/api/v1/360-raters/",
            {
                "cycle": cycle.pk,
                "subject": enrollment.pk,
                "group": "peer",
                "employee": colleagues[0].pk,
            },
            content_type="application/json",
        )
        assert ok.status_code == 201 and ok.json()["status"] == "nominated"
        full = client.post(
            "/api/v1/360-raters/",
            {
                "cycle": cycle.pk,
                "subject": enrollment.pk,
                "group": "peer",
                "employee": colleagues[1].pk,
            },
            content_type="application/json",
        )
        assert full.status_code == 400
        assert full.json() == {"group": ["Peers already has 1 raters, the most this group takes."]}
        bad = client.post(
            "/api/v1/360-raters/",
            {"cycle": cycle.pk, "subject": enrollment.pk, "group": "peer", "email": "x" * 300},
            content_type="application/json",
        )
        assert bad.status_code == 400 and "email" in bad.json()
        assert RaterAssignment.objects.count() == 1

    def test_the_line_manager_approves_through_the_api(
        self, client, line_manager, cycle, enrollment, colleagues, org
    ):
        settings_for(org, peers_min=1)
        row = rater_row(cycle, enrollment, colleagues[0])
        client.force_login(line_manager)
        response = client.post(
            "/api/v1/360-raters/approve/",
            {"cycle": cycle.pk, "subject": enrollment.pk},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert [(r["id"], r["status"]) for r in response.json()] == [(row.pk, "approved")]

    def test_proposals_through_the_api(
        self, client, learner, cycle, enrollment, learner_employee, line_manager_employee
    ):
        client.force_login(learner)
        got = client.get(
            "/api/v1/360-raters/proposals/", {"cycle": cycle.pk, "subject": enrollment.pk}
        )
        assert [(p["group"], p["employee"]) for p in got.json()] == [
            ("self", learner_employee.pk),
            ("manager", line_manager_employee.pk),
        ]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_raters(cycle, subjects, count, org):
    """`count` raters spread over the subjects, in every group and status."""
    groups = [RaterGroup.PEER, RaterGroup.STAKEHOLDER, RaterGroup.DIRECT_REPORT]
    statuses = [RaterStatus.NOMINATED, RaterStatus.APPROVED, RaterStatus.DECLINED]
    for i in range(count):
        person = EmployeeFactory(organization=org)
        row = rater_row(cycle, subjects[i % len(subjects)], person, groups[i % 3], statuses[i % 3])
        if row.status == RaterStatus.DECLINED and i % 2:
            replacement = rater_row(
                cycle, row.subject, EmployeeFactory(organization=org), row.group
            )
            replacement.replaces = row
            replacement.save(update_fields=["replaces"])


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["learner", "line_manager", "lnd_manager"])
def test_the_rater_page_makes_as_many_queries_for_5_raters_as_for_50(
    client, request, who, cycle, enrollment, org
):
    client.force_login(request.getfixturevalue(who))
    url = subject_url(cycle, enrollment)
    add_raters(cycle, [enrollment], 5, org)
    few = count_queries(client, url)
    add_raters(cycle, [enrollment], 45, org)
    assert count_queries(client, url) == few


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["line_manager", "lnd_manager"])
def test_the_approval_list_makes_as_many_queries_for_5_raters_as_for_50(
    client, request, who, lnd, cohort, cycle, enrollment, org, line_manager_employee
):
    client.force_login(request.getfixturevalue(who))
    others = other_learners(lnd, cohort, 3)
    for e in others:
        e.employee.manager = line_manager_employee
        e.employee.save(update_fields=["manager"])
    url = reverse("feedback360:rater_overview")
    add_raters(cycle, [enrollment, *others], 5, org)
    few = count_queries(client, url)
    add_raters(cycle, [enrollment, *others], 45, org)
    assert count_queries(client, url) == few
