"""Model rows for the reviewer tests: an open cycle with a small questionnaire, and
raters. Built directly (cycles and nomination are built in parallel)."""

import datetime
import re

import pytest

from feedback360.models import (
    CyclePhase,
    CycleStatus,
    FeedbackCycle,
    ItemKind,
    Questionnaire,
    QuestionnaireItem,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
)
from feedback360.services import invitations
from people.outbox import mail_send_pending
from programs.models import Audience, Cohort, Competency, Enrollment, Program

ANCHORS = {
    "1": "Rarely: decisions wait on them.",
    "2": "Sometimes, when prompted.",
    "3": "Usually, in familiar situations.",
    "4": "Consistently, including under pressure.",
    "5": "Consistently, and helps others do it too.",
}


def questionnaire_for(org) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        organization=org, key="reviewer-test", title="IT leader 360"
    )
    delegation, _ = Competency.objects.get_or_create(
        organization=org, key="rv-delegation", defaults={"name": "Delegation (test)"}
    )
    feedback, _ = Competency.objects.get_or_create(
        organization=org, key="rv-feedback", defaults={"name": "Giving feedback (test)"}
    )
    rows = [
        ("del-1", ItemKind.RATING, delegation, "Hands over whole problems, not just tasks."),
        ("del-2", ItemKind.RATING, delegation, "Lets the team own incident follow-ups."),
        ("fb-1", ItemKind.RATING, feedback, "Gives specific feedback in code review."),
        ("fb-2", ItemKind.RATING, feedback, "Raises concerns early in 1:1s."),
        ("keep", ItemKind.OPEN, None, "What should they keep doing?"),
    ]
    for position, (key, kind, competency, text) in enumerate(rows, start=1):
        QuestionnaireItem.objects.create(
            questionnaire=questionnaire,
            key=key,
            position=position,
            kind=kind,
            competency=competency,
            text=text,
            anchors=ANCHORS if kind == ItemKind.RATING else {},
        )
    return questionnaire


def open_cycle(org, *, closes_in_days: int = 14, peer_threshold: int = 3) -> FeedbackCycle:
    today = org.today()
    program = Program.objects.create(
        organization=org, title="Leading teams", audience=Audience.NEW_MANAGERS, duration_weeks=8
    )
    cohort = Cohort.objects.create(
        organization=org,
        program=program,
        name="Autumn cohort",
        start_date=today - datetime.timedelta(days=7),
        end_date=today + datetime.timedelta(days=60),
        capacity=20,
    )
    return FeedbackCycle.objects.create(
        organization=org,
        cohort=cohort,
        phase=CyclePhase.PRE,
        questionnaire=questionnaire_for(org),
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=closes_in_days),
        status=CycleStatus.OPEN,
        peer_threshold=peer_threshold,
        direct_report_threshold=3,
        stakeholder_threshold=3,
        overall_threshold=4,
        rater_cap=6,
        reminder_interval_days=4,
        opened_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3),
    )


def enrol(cycle: FeedbackCycle, employee) -> Enrollment:
    return Enrollment.objects.create(cohort=cycle.cohort, employee=employee)


def rater(
    cycle: FeedbackCycle,
    subject: Enrollment,
    *,
    name: str,
    email: str,
    group: str = RaterGroup.PEER,
    status: str = RaterStatus.APPROVED,
    employee=None,
) -> RaterAssignment:
    return RaterAssignment.objects.create(
        organization=cycle.organization,
        cycle=cycle,
        subject=subject,
        group=group,
        name=name,
        email=email,
        status=status,
        employee=employee,
    )


# Fixtures shared by the reviewer tests: a module imports fixture_<name> and its tests
# ask for <name>.
@pytest.fixture(name="cycle")
def fixture_cycle(org):
    return open_cycle(org)


@pytest.fixture(name="subject")
def fixture_subject(cycle, learner_employee):
    return enrol(cycle, learner_employee)


@pytest.fixture(name="peer_rater")
def fixture_peer_rater(cycle, subject):
    return rater(cycle, subject, name="Priya Peer", email="priya@partner.test")


@pytest.fixture(name="invited")
def fixture_invited(peer_rater, mailoutbox):
    """The peer rater invited, the email sent; returns the raw token from the email."""
    invitations.invite([peer_rater.pk])
    mail_send_pending()
    return token_from(mailoutbox[-1].body)


def token_from(body: str) -> str:
    """The token of the answering link in an email body."""
    match = re.search(r"/360/r/([A-Za-z0-9_-]+)/\n", body)
    assert match, body
    return match.group(1)
