"""The demo's 360: the running leadership cohort's pre cycle, open and half answered.

- The demo learner (learner@) nominated herself, her manager (manager@) and her direct
  reports as the roster had them on the opening date, five fellow engineering managers
  as peers, two heads of other teams and one partner outside the company
  (priya.shah@partner.example) as stakeholders. manager@ approved the list before the
  cycle opened, so everyone was invited on opening.
- Her self-rating, four peers, six direct reports and two stakeholders have answered:
  enough for the peer and direct-report groups to clear their threshold, while the
  stakeholders wait on one more answer. The answers tell one story (she is good with
  stakeholders and keeps the team safe, holds on to work and shies from hard
  feedback, and rates her own delegation higher than her team does).
- Still waiting: manager@ (a to-do on her home page), one peer, three direct reports and
  the partner, whose invitation is in the development mailbox: open it (as admin@, under
  Mailbox) and follow its link to answer as a reviewer with no account.
- Three other learners have nominated raters who await their line managers' approval;
  one of them reports to manager@, so she has an approval to-do too.

Everything goes through the services, as the people in the story would have done. The
invitations are sent before the loader returns, so they are in the mailbox even when no
worker runs.
"""

import datetime
import random

from django.db import transaction

from feedback360.models import (
    CyclePhase,
    FeedbackCycle,
    ItemKind,
    QuestionnaireItem,
    RaterAssignment,
    RaterGroup,
    RaterStatus,
)
from feedback360.services import cycles, invitations, nomination, reviewer
from feedback360.services.questionnaires import questionnaire_library_load
from feedback360.services.reviewer import Answer
from people.actors import actor_for_user
from people.models import Employee, MailStatus, Organization, OutgoingMail, User
from people.outbox import mail_send
from people.selectors import roster_as_of
from programs.demo import DEMO_COHORT
from programs.models import Cohort, Enrollment

SEED = 3600
DEMO_LEARNER = "learner@acme.example"
DEMO_MANAGER = "manager@acme.example"
PARTNER = ("Priya Shah", "priya.shah@partner.example")
PEERS, STAKEHOLDERS_ON_ROSTER = 5, 2
# Who has answered, per group (the rest are still invited).
ANSWERED = {RaterGroup.PEER: 4, RaterGroup.DIRECT_REPORT: 6, RaterGroup.STAKEHOLDER: 2}
# How many other learners have nominated raters awaiting approval.
OTHERS_NOMINATING = 3

# How others see the demo learner, per competency (1-5), and how each group differs.
SEEN_AS = {
    "emotional_intelligence": 3.5,
    "delegation": 2.4,
    "feedback_delivery": 2.5,
    "conflict_resolution": 3.0,
    "stakeholder_management": 4.1,
    "strategic_thinking": 3.2,
    "communication": 3.8,
    "psychological_safety": 4.1,
}
GROUP_SHIFT = {
    RaterGroup.DIRECT_REPORT: {
        "delegation": -0.5,
        "feedback_delivery": -0.3,
        "psychological_safety": 0.4,
    },
    RaterGroup.PEER: {"conflict_resolution": -0.3, "strategic_thinking": 0.2},
    RaterGroup.STAKEHOLDER: {"stakeholder_management": 0.4, "communication": 0.3},
}
# Stakeholders do not see inside her team.
NOT_SEEN_BY_STAKEHOLDERS = {"delegation", "psychological_safety", "feedback_delivery"}
# Her own view: she thinks she delegates well (her team disagrees) and undersells how
# safe her team feels.
SELF_VIEW = {
    "emotional_intelligence": 4,
    "delegation": 4,
    "feedback_delivery": 2,
    "conflict_resolution": 3,
    "stakeholder_management": 4,
    "strategic_thinking": 3,
    "communication": 4,
    "psychological_safety": 3,
}

# Open answers (keep doing, start doing, stop doing), a few per group.
OPEN_ANSWERS = {
    RaterGroup.SELF: [
        (
            "Protecting the team's focus time and keeping planning calm.",
            "Handing over the payment-provider migration instead of running it myself.",
            "Rewriting pull requests late in the evening before release.",
        )
    ],
    RaterGroup.PEER: [
        (
            "Sharing the Payments incident reviews openly; we copied the format.",
            "Pushing back earlier when product scope grows mid-sprint.",
            "Agreeing to cross-team dependencies in the meeting and renegotiating later.",
        ),
        (
            "Being the calmest person in the room during the checkout outage.",
            "Bringing a view on the platform roadmap to the managers' sync, not only "
            "Payments' needs.",
            "",
        ),
        (
            "Helping other managers with hiring loops; your interview notes are excellent.",
            "Delegating the on-call rota work to one of your seniors.",
            "Staying quiet in disagreements between teams and sorting it out one to one "
            "afterwards.",
        ),
        (
            "Keeping stakeholders informed before they have to ask.",
            "",
            "Taking the hardest tickets yourself when the team is under pressure.",
        ),
    ],
    RaterGroup.DIRECT_REPORT: [
        (
            "Our retros feel safe; people say what went wrong without blame.",
            "Letting us own a piece of the roadmap end to end, including the stakeholder updates.",
            "Reworking our pull requests yourself instead of telling us what to change.",
        ),
        (
            "Shielding us from last-minute requests from sales.",
            "Telling me directly when my work is not where it should be; I hear it late.",
            "",
        ),
        (
            "The 1:1s: you listen and remember what I said last time.",
            "Giving the tech-debt work a real owner in the team.",
            "Jumping into incidents and fixing them alone; we learn nothing that way.",
        ),
        (
            "Explaining why a priority changed, not only that it did.",
            "Clear feedback in reviews: what good looks like for my level.",
            "Keeping the architecture decisions to yourself until they are made.",
        ),
        (
            "Backing us when we said the release was not ready.",
            "",
            "Checking every detail of work you have already handed over.",
        ),
        (
            "Making new joiners welcome; my first weeks were well organised.",
            "Letting the seniors run sprint planning now and then.",
            "",
        ),
    ],
    RaterGroup.STAKEHOLDER: [
        (
            "Honest delivery dates, and early warnings when they move.",
            "Involving us before the roadmap is set, not after.",
            "",
        ),
        (
            "Translating payment regulation changes into plain language for our team.",
            "Sharing the reasons behind trade-offs with the wider business.",
            "Saying yes to urgent requests and then missing other commitments.",
        ),
    ],
}


def _actor(user: User, organization: Organization):
    return actor_for_user(user=user, organization=organization)


def _rating(rng: random.Random, group: str, competency: str) -> Answer:
    if group == RaterGroup.SELF:
        return Answer(value=SELF_VIEW.get(competency, 3))
    if group == RaterGroup.STAKEHOLDER and competency in NOT_SEEN_BY_STAKEHOLDERS:
        return Answer(not_observed=True)
    if rng.random() < 0.04:  # now and then a rater has not seen a behaviour
        return Answer(not_observed=True)
    level = SEEN_AS.get(competency, 3.2) + GROUP_SHIFT.get(group, {}).get(competency, 0.0)
    return Answer(value=max(1, min(5, round(level + rng.gauss(0, 0.6)))))


def _answers(
    rng: random.Random, items: list[QuestionnaireItem], group: str, texts: tuple[str, ...]
) -> dict[str, Answer]:
    answers = {
        item.key: _rating(rng, group, item.competency.key)
        for item in items
        if item.kind == ItemKind.RATING
    }
    open_items = [item for item in items if item.kind == ItemKind.OPEN]
    for item, text in zip(open_items, texts, strict=False):
        answers[item.key] = Answer(text=text)
    return answers


def _peers(organization: Organization, on: datetime.date, learner: Employee) -> list[Employee]:
    """Fellow engineering managers on `on`: those sharing her manager first, then others."""
    roster = roster_as_of(organization=organization, on=on)
    mine = roster[learner.pk].manager_id
    managers = [
        entry
        for pk, entry in roster.items()
        if entry.job_title == "Engineering Manager" and pk != learner.pk
    ]
    people = Employee.objects.in_bulk([e.employee_id for e in managers])
    ordered = sorted(
        managers, key=lambda e: (e.manager_id != mine, people[e.employee_id].full_name)
    )
    return [people[e.employee_id] for e in ordered[:PEERS]]


def _stakeholders(
    organization: Organization, on: datetime.date, learner: Employee
) -> list[Employee]:
    """Heads of other teams she works with, her own head aside."""
    roster = roster_as_of(organization=organization, on=on)
    mine = roster[learner.pk].manager_id
    heads = [pk for pk, e in roster.items() if e.job_title.startswith("Head of") and pk != mine]
    return list(Employee.objects.filter(pk__in=heads).order_by("full_name", "id"))[
        :STAKEHOLDERS_ON_ROSTER
    ]


def _nominate_demo_learner(*, cycle: FeedbackCycle, subject: Enrollment) -> None:
    organization = cycle.organization
    learner = subject.employee
    actor = _actor(learner.user, organization)
    nomination.raters_nominate_proposed(actor=actor, cycle=cycle, subject=subject)
    for peer in _peers(organization, cycle.opens_on, learner):
        nomination.rater_nominate(
            actor=actor, cycle=cycle, subject=subject, group=RaterGroup.PEER, employee_id=peer.pk
        )
    for head in _stakeholders(organization, cycle.opens_on, learner):
        nomination.rater_nominate(
            actor=actor,
            cycle=cycle,
            subject=subject,
            group=RaterGroup.STAKEHOLDER,
            employee_id=head.pk,
        )
    name, email = PARTNER
    nomination.rater_nominate(
        actor=actor,
        cycle=cycle,
        subject=subject,
        group=RaterGroup.STAKEHOLDER,
        name=name,
        email=email,
    )
    manager = User.objects.get(email=DEMO_MANAGER)
    nomination.raters_approve(actor=_actor(manager, organization), cycle=cycle, subject=subject)


def _answer_some(*, cycle: FeedbackCycle, subject: Enrollment) -> int:
    """Self and the first raters of each group (by name) answer; the partner waits."""
    rng = random.Random(SEED)
    items = list(
        QuestionnaireItem.objects.filter(questionnaire=cycle.questionnaire)
        .select_related("competency")
        .order_by("position")
    )
    raters = list(
        RaterAssignment.objects.filter(
            cycle=cycle, subject=subject, status=RaterStatus.INVITED
        ).order_by("group", "employee_id", "name", "id")
    )
    answering = [r for r in raters if r.group == RaterGroup.SELF]
    for group, count in ANSWERED.items():
        answering += [r for r in raters if r.group == group and r.employee_id][:count]
    used: dict[str, int] = {}
    for rater in answering:
        pool = OPEN_ANSWERS[rater.group]
        texts = pool[used.get(rater.group, 0) % len(pool)]
        used[rater.group] = used.get(rater.group, 0) + 1
        reviewer.response_submit(assignment=rater, answers=_answers(rng, items, rater.group, texts))
    return len(answering)


def _others_nominate(*, cycle: FeedbackCycle, demo_subject: Enrollment) -> int:
    """A few other learners nominate themselves, their manager, their reports and three
    peers; the lists await approval. manager@'s other report comes first."""
    organization = cycle.organization
    manager = Employee.objects.get(organization=organization, email=DEMO_MANAGER)
    others = sorted(
        Enrollment.objects.filter(cohort=cycle.cohort, employee__user__isnull=False)
        .exclude(pk=demo_subject.pk)
        .select_related("employee__user", "cohort"),
        key=lambda e: (e.employee.manager_id != manager.pk, e.employee.full_name),
    )[:OTHERS_NOMINATING]
    for subject in others:
        actor = _actor(subject.employee.user, organization)
        nomination.raters_nominate_proposed(actor=actor, cycle=cycle, subject=subject)
        mine = {r.employee_id for r in RaterAssignment.objects.filter(subject=subject)}
        peers = [
            p for p in _peers(organization, cycle.opens_on, subject.employee) if p.pk not in mine
        ][:3]
        for peer in peers:
            nomination.rater_nominate(
                actor=actor,
                cycle=cycle,
                subject=subject,
                group=RaterGroup.PEER,
                employee_id=peer.pk,
            )
    return len(others)


def _send_invitations(*, cycle: FeedbackCycle) -> int:
    """Sends the cycle's queued invitations now (the worker would, a moment later), so
    they are in the development mailbox straight after load_demo. Those to raters who
    answered meanwhile are skipped by the renderer."""
    ids = {
        mail.pk
        for mail in OutgoingMail.objects.filter(
            organization=cycle.organization,
            kind=invitations.INVITATION_MAIL,
            status=MailStatus.PENDING,
        )
        if mail.ids.get("assignment_id")
        in set(RaterAssignment.objects.filter(cycle=cycle).values_list("pk", flat=True))
    }
    sent = 0
    for mail_id in sorted(ids):
        sent += mail_send(mail_id=mail_id) == MailStatus.SENT
    return sent


def demo_feedback_load(*, organization: Organization) -> dict:
    """Opens the running leadership cohort's pre cycle with the demo learner's raters
    approved, some answered and the rest invited. Idempotent: nothing is added once the
    cohort has a pre cycle. Returns `answered` and `invited` (emails sent), or `{}`."""
    # Seeded when the organisation's creation commits; load it here too, for a load
    # inside one transaction (as in the tests). Loading again changes nothing.
    questionnaire_library_load(organization=organization)
    cohort = Cohort.objects.filter(organization=organization, name=DEMO_COHORT).first()
    learner = User.objects.filter(email=DEMO_LEARNER).first()
    if (
        cohort is None
        or learner is None
        or FeedbackCycle.objects.filter(cohort=cohort, phase=CyclePhase.PRE).exists()
    ):
        return {}
    subject = Enrollment.objects.select_related("employee__user", "cohort").get(
        cohort=cohort, employee__user=learner
    )
    lnd = _actor(User.objects.get(email="lnd@acme.example"), organization)
    today = organization.today()
    with transaction.atomic():
        # Opened on the program's first day, for four weeks (at least a week still to go).
        cycle = cycles.cycle_create(
            actor=lnd,
            cohort=cohort,
            phase=CyclePhase.PRE,
            opens_on=cohort.start_date,
            closes_on=max(
                cohort.start_date + datetime.timedelta(days=28),
                today + datetime.timedelta(days=7),
            ),
        )
        _nominate_demo_learner(cycle=cycle, subject=subject)
        cycle = cycles.cycle_open(actor=lnd, cycle=cycle)
        # What the cycle_opened handler does once the event is handled: the loader does
        # it now, so the demo's state does not wait for a worker. The handler then finds
        # nobody left to invite.
        invitations.cycle_invite_all(cycle=cycle)
        answered = _answer_some(cycle=cycle, subject=subject)
        _others_nominate(cycle=cycle, demo_subject=subject)
        invited = _send_invitations(cycle=cycle)
    return {"answered": answered, "invited": invited}
