"""The demo's 360 (issue 10): the running cohort's pre cycle is open, the demo learner's
raters are approved and partly answered, and a newcomer can answer from an invitation
as a reviewer with no account."""

import re
from collections import Counter
from io import StringIO
from statistics import mean

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from feedback360.models import (
    CyclePhase,
    CycleStatus,
    FeedbackAnswer,
    FeedbackCycle,
    FeedbackResponse,
    QuestionnaireItem,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
    RaterToken,
    ResponseStatus,
)
from feedback360.services import invitations
from people.models import Employee, MailStatus, Organization, OutgoingMail, User
from people.selectors import roster_as_of
from programs.demo import DEMO_COHORT

PARTNER = "priya.shah@partner.example"
LINK = re.compile(r"http://[^/\s]+(/360/r/([A-Za-z0-9_-]+)/)\n")


@pytest.fixture(scope="module")
def acme(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (with the emails it sent) and rolled back
    after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        mail.outbox = []
        output = StringIO()
        call_command("load_demo", stdout=output)
        yield Organization.objects.get(slug="acme"), output.getvalue(), list(mail.outbox)
        transaction.set_rollback(True)


@pytest.fixture
def org(acme, db):
    return acme[0]


@pytest.fixture
def emails(acme):
    return acme[2]


@pytest.fixture
def cycle(org):
    return FeedbackCycle.objects.select_related("cohort").get(cohort__name=DEMO_COHORT)


@pytest.fixture
def lea(org):
    return Employee.objects.get(organization=org, email="learner@acme.example")


def raters_of(cycle, employee):
    return RaterAssignment.objects.filter(cycle=cycle, subject__employee=employee)


def test_load_demo_says_what_the_360_holds(acme, db):
    assert (
        "Opened the running cohort's 360 (before the program): 13 raters have answered, "
        "6 invitations are in the development mailbox."
    ) in acme[1]


def test_the_running_cohort_has_an_open_pre_cycle_with_the_thresholds_copied(org, cycle):
    assert FeedbackCycle.objects.filter(organization=org).count() == 1
    assert (cycle.phase, cycle.status) == (CyclePhase.PRE, CycleStatus.OPEN)
    assert cycle.opens_on == cycle.cohort.start_date < org.today() < cycle.closes_on
    assert (cycle.peer_threshold, cycle.direct_report_threshold) == (3, 3)
    assert (cycle.stakeholder_threshold, cycle.overall_threshold) == (3, 4)


def test_the_demo_learners_raters_by_group_and_status(cycle, lea):
    counts = Counter(raters_of(cycle, lea).values_list("group", "status"))
    assert counts == {
        (RaterGroup.SELF, RaterStatus.SUBMITTED): 1,
        (RaterGroup.MANAGER, RaterStatus.INVITED): 1,
        (RaterGroup.PEER, RaterStatus.SUBMITTED): 4,
        (RaterGroup.PEER, RaterStatus.INVITED): 1,
        (RaterGroup.DIRECT_REPORT, RaterStatus.SUBMITTED): 6,
        (RaterGroup.DIRECT_REPORT, RaterStatus.INVITED): 3,
        (RaterGroup.STAKEHOLDER, RaterStatus.SUBMITTED): 2,
        (RaterGroup.STAKEHOLDER, RaterStatus.INVITED): 1,
    }
    rows = raters_of(cycle, lea)
    assert rows.get(group=RaterGroup.MANAGER).email == "manager@acme.example"
    partner = rows.get(email=PARTNER)
    assert (partner.group, partner.employee, partner.name) == (
        RaterGroup.STAKEHOLDER,
        None,
        "Priya Shah",
    )
    assert all(r.approved_by.email == "manager@acme.example" for r in rows)


def test_her_direct_reports_are_those_of_the_opening_date(cycle, lea):
    roster = roster_as_of(organization=cycle.organization, on=cycle.opens_on)
    reports = {pk for pk, entry in roster.items() if entry.manager_id == lea.pk}
    asked = set(
        raters_of(cycle, lea)
        .filter(group=RaterGroup.DIRECT_REPORT)
        .values_list("employee_id", flat=True)
    )
    assert asked == reports and len(reports) >= 3


def test_peers_and_direct_reports_answered_above_their_threshold_stakeholders_not(cycle, lea):
    answered = Counter(
        raters_of(cycle, lea).filter(status=RaterStatus.SUBMITTED).values_list("group", flat=True)
    )
    assert answered[RaterGroup.PEER] >= cycle.peer_threshold
    assert answered[RaterGroup.DIRECT_REPORT] >= cycle.direct_report_threshold
    # One more stakeholder answer (the partner's, waiting in the mailbox) is needed.
    assert answered[RaterGroup.STAKEHOLDER] == cycle.stakeholder_threshold - 1
    others = sum(n for group, n in answered.items() if group != RaterGroup.SELF)
    assert others >= cycle.overall_threshold


def _ratings(cycle, lea, group, competency):
    return list(
        FeedbackAnswer.objects.filter(
            response__assignment__in=raters_of(cycle, lea).filter(group=group),
            response__status=ResponseStatus.SUBMITTED,
            item__competency__key=competency,
            value__isnull=False,
        ).values_list("value", flat=True)
    )


def test_the_answers_tell_a_story_the_reports_can_show(cycle, lea):
    # She rates her delegation well above what her team sees: a blind spot.
    self_view = mean(_ratings(cycle, lea, RaterGroup.SELF, "delegation"))
    team_view = mean(_ratings(cycle, lea, RaterGroup.DIRECT_REPORT, "delegation"))
    assert self_view - team_view >= 1
    # Others see her as stronger with stakeholders than at delegating.
    peers = RaterGroup.PEER
    assert mean(_ratings(cycle, lea, peers, "stakeholder_management")) > mean(
        _ratings(cycle, lea, peers, "delegation")
    )
    # Answers vary between raters, and stakeholders leave her team's inner life unrated.
    assert len(set(_ratings(cycle, lea, RaterGroup.DIRECT_REPORT, "communication"))) > 1
    assert not _ratings(cycle, lea, RaterGroup.STAKEHOLDER, "psychological_safety")
    texts = FeedbackAnswer.objects.filter(
        response__assignment__subject__employee=lea, item__kind="open"
    ).exclude(text="")
    assert texts.count() >= 20 and texts.values("text").distinct().count() == texts.count()


def test_three_other_learners_await_approval_one_of_them_manager_ats(org, cycle, lea):
    waiting = RaterAssignment.objects.filter(cycle=cycle, status=RaterStatus.NOMINATED)
    subjects = Employee.objects.filter(
        pk__in=waiting.values_list("subject__employee_id", flat=True)
    )
    assert len(subjects) == 3 and lea not in subjects
    manager = Employee.objects.get(organization=org, email="manager@acme.example")
    assert [s.manager_id for s in subjects].count(manager.pk) == 1
    assert (
        not RaterAssignment.objects.filter(cycle=cycle)
        .exclude(subject__employee=lea)
        .exclude(status=RaterStatus.NOMINATED)
    )


def test_manager_at_has_lea_to_rate_and_one_list_to_approve(client, org, cycle):
    client.force_login(User.objects.get(email="manager@acme.example"))
    page = client.get(reverse("home")).content.decode()
    assert "Give feedback for Lea Becker" in page
    report = (
        RaterAssignment.objects.filter(cycle=cycle, status=RaterStatus.NOMINATED)
        .get(subject__employee__manager__email="manager@acme.example", group=RaterGroup.SELF)
        .subject.employee
    )
    assert f"Approve {report.full_name}&#x27;s 360 raters" in page
    assert page.count("360 raters (") == 1


def test_invitations_went_to_the_raters_still_waiting(cycle, lea, emails):
    waiting = set(
        raters_of(cycle, lea).filter(status=RaterStatus.INVITED).values_list("email", flat=True)
    )
    assert {address for email in emails for address in email.to} == waiting
    assert len(emails) == len(waiting) == 6
    assert all(LINK.search(email.body) for email in emails)
    sent = OutgoingMail.objects.filter(kind=invitations.INVITATION_MAIL, status=MailStatus.SENT)
    assert sent.count() == 6 and not OutgoingMail.objects.filter(status=MailStatus.PENDING)
    assert set(raters_of(cycle, lea).exclude(invited_at=None).values_list("email", flat=True)) == (
        waiting
    )


def test_the_partner_answers_from_her_emailed_link_with_no_account(client, cycle, lea, emails):
    (email,) = [e for e in emails if e.to == [PARTNER]]
    path = LINK.search(email.body).group(1)
    page = client.get(path)
    assert page.status_code == 200
    assert "Lea Becker" in page.content.decode()

    items = QuestionnaireItem.objects.filter(questionnaire=cycle.questionnaire)
    ratings = {f"rating-{i.key}": "4" for i in items.filter(kind="rating")}
    first_half = dict(list(ratings.items())[:5])
    saved = client.post(path, first_half)
    assert saved.status_code == 302
    partner = raters_of(cycle, lea).get(email=PARTNER)
    assert partner.response.status == ResponseStatus.DRAFT
    assert partner.response.answers.count() == 5

    done = client.post(path, {**ratings, "text-keep-doing": "Clear, early news.", "submit": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("feedback360:rater_thanks")
    partner.refresh_from_db()
    assert partner.status == RaterStatus.SUBMITTED
    answered = raters_of(cycle, lea).filter(
        group=RaterGroup.STAKEHOLDER, status=RaterStatus.SUBMITTED
    )
    assert answered.count() == cycle.stakeholder_threshold


def _snapshot():
    return (
        FeedbackCycle.objects.count(),
        sorted(RaterAssignment.objects.values_list("pk", "status", "group")),
        FeedbackResponse.objects.count(),
        FeedbackAnswer.objects.count(),
        RaterToken.objects.count(),
        sorted(OutgoingMail.objects.values_list("pk", "status")),
    )


def test_loading_again_changes_nothing_and_sends_nothing(org, mailoutbox):
    before = _snapshot()
    output = StringIO()
    call_command("load_demo", stdout=output)
    assert _snapshot() == before
    assert not mailoutbox
    assert "Opened the running cohort's 360" not in output.getvalue()


def test_no_raw_token_is_stored_anywhere_only_in_the_emails(org, emails):
    tokens = [LINK.search(email.body).group(2) for email in emails]
    assert len(set(tokens)) == 6 and RaterToken.objects.count() == 6
    stored = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f.attname for f in model._meta.concrete_fields]
        stored += [repr(row) for row in model._default_manager.values_list(*fields)]
    stored = "\n".join(stored)
    assert PARTNER in stored, "the scan reads the tables"
    for token in tokens:
        assert token not in stored
