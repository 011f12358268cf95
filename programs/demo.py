"""Demo programs for Acme Software: a 12-week program, a bootcamp, and a running cohort
with the demo learner enrolled, so every role has something to look at on first run."""

import datetime
from decimal import Decimal

from django.db import transaction

from people.actors import actor_for_user
from people.models import Employee, Organization, User
from programs import services
from programs.models import (
    Audience,
    Cohort,
    Enrollment,
    ModuleKind,
    ModuleProgress,
    Program,
    ProgressStatus,
    Scenario,
)

DEMO_PROGRAM = "Leading IT teams"
DEMO_BOOTCAMP = "Pre-promotion bootcamp: from senior engineer to lead"
DEMO_COHORT = "Leading IT teams · autumn cohort"

FIRST_90_DAYS = """\
## Your first 90 days as a tech lead

You were promoted because you were good at the work. The job now is **making the team good at the work**.

- **Listen first.** Hold a one-on-one with everyone in your first two weeks. Ask what they would change and what they would protect.
- **Make the invisible visible.** Write down the team's commitments, risks and trade-offs where stakeholders can see them.
- **Give feedback early and specifically.** Use Situation-Behaviour-Impact: *In Tuesday's review, you merged without the failing test passing; the release was rolled back and we lost a day.*
- **Delegate by readiness, not by comfort.** Hand over work you could do faster yourself, with the right level of support.

This week: play the code-review scenario and write your first SBI entry in the practice log.
"""

SAYING_NO = """\
## Negotiating scope, not dates

When someone asks for a date the team cannot meet, the conversation is about **options**, not effort:

1. Ask what the date is for: the business need is usually more flexible than the deadline.
2. Show the trade-off: *this scope by then, or all of it by later, or more people and more risk*.
3. Give a range with a confidence level, and say what would narrow it.

Never say "we'll do our best" when you mean "no".
"""


def _module(actor, program, week, kind, title, *, body="", scenario=None, minutes=15, **extra):
    return services.module_save(
        actor=actor,
        program=program,
        title=title,
        kind=kind,
        release_week=week,
        body=body,
        scenario=scenario,
        estimated_minutes=minutes,
        **extra,
    )


@transaction.atomic
def demo_programs_load(*, organization: Organization) -> dict:
    """Creates the demo programs and a cohort that started two weeks ago. Idempotent."""
    services.organization_content_seed(organization=organization)
    if Program.objects.filter(organization=organization, title=DEMO_PROGRAM).exists():
        return {"created": False}
    lnd = User.objects.get(email="lnd@acme.example")
    actor = actor_for_user(user=lnd, organization=organization)
    scenarios = {s.key: s for s in Scenario.objects.filter(organization=organization)}
    comps = {c.key: c.pk for c in organization.competencies.all()}

    program = services.program_save(
        actor=actor,
        title=DEMO_PROGRAM,
        audience=Audience.NEW_MANAGERS,
        duration_weeks=12,
        description="Twelve weeks of practice for new engineering leads and managers: feedback, "
        "delegation, stakeholders and the one-on-ones that hold a team together.",
        cost_per_participant=Decimal("2400.00"),
        competency_ids=[
            comps[k]
            for k in (
                "feedback_delivery",
                "delegation",
                "stakeholder_management",
                "psychological_safety",
                "communication",
            )
        ],
    )
    plan = [
        (
            1,
            ModuleKind.LESSON,
            "Your first 90 days as a tech lead",
            {"body": FIRST_90_DAYS, "minutes": 10},
        ),
        (
            1,
            ModuleKind.SCENARIO,
            "Code-review feedback in front of the team",
            {"scenario": scenarios["code-review-feedback-in-front-of-team"]},
        ),
        (
            1,
            ModuleKind.SBI_PRACTICE,
            "Write your first SBI feedback",
            {
                "body": "Prepare one piece of real feedback you owe someone, using the SBI builder.",
                "minutes": 10,
            },
        ),
        (
            2,
            ModuleKind.SCENARIO,
            "A missed deadline, using SBI",
            {"scenario": scenarios["missed-deadline-sbi"]},
        ),
        (
            2,
            ModuleKind.REFLECTION,
            "Feedback you avoided",
            {
                "body": "Think of feedback you held back this month. What stopped you, and what did it cost?"
            },
        ),
        (
            3,
            ModuleKind.DELEGATION_PRACTICE,
            "Map your delegation",
            {
                "body": "Log three tasks you are holding on to, with the person who could take each.",
                "minutes": 20,
            },
        ),
        (
            3,
            ModuleKind.SCENARIO,
            "The expert lead who won't delegate",
            {"scenario": scenarios["expert-lead-wont-delegate"]},
        ),
        (
            4,
            ModuleKind.LIVE_SESSION,
            "Role-play workshop: hard conversations",
            {
                "body": "Practise the week's conversations in trios with an actor.",
                "session_location": "Room Ada, 3rd floor, or the cohort's video link",
                "minutes": 120,
            },
        ),
        (5, ModuleKind.LESSON, "Negotiating scope, not dates", {"body": SAYING_NO}),
        (
            5,
            ModuleKind.SCENARIO,
            "The executive who wants a date",
            {"scenario": scenarios["executive-wants-a-date"]},
        ),
        (
            6,
            ModuleKind.SCENARIO,
            "Technical debt with your product owner",
            {"scenario": scenarios["tech-debt-with-product-owner"]},
        ),
        (
            7,
            ModuleKind.SCENARIO,
            "Sprint planning under real constraints",
            {"scenario": scenarios["sprint-planning-under-constraints"]},
        ),
        (
            8,
            ModuleKind.SCENARIO,
            "A quiet remote engineer's one-on-one",
            {"scenario": scenarios["quiet-remote-engineer-one-on-one"]},
        ),
        (
            9,
            ModuleKind.SCENARIO,
            "The senior developer who resists reviews",
            {"scenario": scenarios["senior-dev-resists-code-review"]},
        ),
        (
            11,
            ModuleKind.REFLECTION,
            "What changed in how you lead?",
            {"body": "Compare how you handled feedback and delegation in week 1 with this week."},
        ),
        (
            12,
            ModuleKind.KNOWLEDGE_CHECK,
            "Final knowledge check",
            {"body": "A short quiz on SBI, delegation levels and negotiating scope."},
        ),
    ]
    modules = [
        _module(actor, program, week, kind, title, **extra) for week, kind, title, extra in plan
    ]

    bootcamp = services.program_save(
        actor=actor,
        title=DEMO_BOOTCAMP,
        audience=Audience.PRE_PROMOTION,
        duration_weeks=3,
        description="Three intensive weeks before a promotion to lead.",
        cost_per_participant=Decimal("900.00"),
        competency_ids=[
            comps["delegation"],
            comps["stakeholder_management"],
            comps["strategic_thinking"],
        ],
    )
    _module(
        actor,
        bootcamp,
        1,
        ModuleKind.SCENARIO,
        "The expert lead who won't delegate",
        scenario=scenarios["expert-lead-wont-delegate"],
    )
    _module(
        actor,
        bootcamp,
        2,
        ModuleKind.SCENARIO,
        "The executive who wants a date",
        scenario=scenarios["executive-wants-a-date"],
    )
    _module(
        actor,
        bootcamp,
        3,
        ModuleKind.REFLECTION,
        "Am I ready to lead?",
        body="What will you stop doing when you become a lead?",
    )

    coach = User.objects.get(email="coach@acme.example")
    today = organization.today()
    cohort = services.cohort_save(
        actor=actor,
        program=program,
        name=DEMO_COHORT,
        start_date=today - datetime.timedelta(days=15),
        end_date=None,
        capacity=16,
        facilitator=lnd,
        coach_ids=[coach.pk],
    )
    learner = Employee.objects.get(organization=organization, email="learner@acme.example")
    peers = list(
        Employee.objects.filter(
            organization=organization, level__in=["L4", "L5"], termination_date__isnull=True
        )
        .exclude(pk=learner.pk)
        # The coach is no learner of her own cohort, and coaches none of her reports.
        .exclude(user=coach)
        .exclude(manager__user=coach)
        .order_by("employee_id")[:9]
    )
    services.enrollment_add(actor=actor, cohort=cohort, employees=[learner, *peers], notify=False)
    _demo_progress(cohort, modules, learner)
    return {"created": True, "learners": len(peers) + 1}


def _demo_progress(cohort: Cohort, modules, learner: Employee) -> None:
    """Peers have done varying amounts of weeks 1-2, so the grid shows who is behind."""
    early = [m for m in modules if m.release_week <= 2]
    rows = []
    for i, enrollment in enumerate(
        Enrollment.objects.filter(cohort=cohort).exclude(employee=learner).order_by("id")
    ):
        for module in early[: i % (len(early) + 1)]:
            rows.append(
                ModuleProgress(
                    enrollment=enrollment,
                    module=module,
                    status=ProgressStatus.COMPLETED,
                    rating=4 + i % 2,
                )
            )
    ModuleProgress.objects.bulk_create(rows)
