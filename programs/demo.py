"""Demo programs for Acme Software: the 12-week *Leading IT teams* program with three
cohorts and a pre-promotion bootcamp with one, so every role has something to look at.

Who is enrolled is read from the roster's history (people.selectors.roster_as_of), so the
figures later reports compute from it hold up:

- cohort 1 started about eleven months ago and finished: ten team leads and engineering
  managers who had direct reports from a year before it started until today;
- cohort 2, six managers in week 9: too few for confident figures;
- cohort 3, in week 3, with the demo learner: none of its managers was in cohort 1, and
  all of them managed people through the same two years, so they are cohort 1's waitlist
  comparison;
- the bootcamp (finished) enrolled senior engineers with nobody reporting to them.

Every cohort starts on a Monday; a finished one whose first week would touch 20 Dec-6 Jan
moves a week or two off it. The program develops all eight competencies.

Progress, scenario attempts, reflections, practice-log entries (SBI feedback and
delegation decisions, dated inside their module's week) and attendance of days gone by
are written in bulk with their dates (the learning services stamp everything with the
current time); so are the dates the programs and cohorts were set up.
A fixed seed makes every load the same for the same day.
"""

import datetime
import random
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from people.actors import actor_for_user
from people.models import Employee, Organization, User
from people.permissions import Actor
from people.selectors import RosterEntry, roster_as_of
from programs import practice, scenario_format, services
from programs.models import (
    AttemptStatus,
    Audience,
    Cohort,
    DelegationDecision,
    Enrollment,
    FrameworkReview,
    LiveSessionAttendance,
    Module,
    ModuleKind,
    ModuleProgress,
    Program,
    ProgressStatus,
    Reflection,
    SbiEntry,
    Scenario,
    ScenarioAttempt,
)
from programs.selectors import OVERDUE_AFTER

DEMO_PROGRAM = "Leading IT teams"
DEMO_BOOTCAMP = "Pre-promotion bootcamp: from senior engineer to lead"
LAST_YEAR_COHORT = f"{DEMO_PROGRAM} · cohort 1"
SMALL_COHORT = f"{DEMO_PROGRAM} · cohort 2"
DEMO_COHORT = f"{DEMO_PROGRAM} · cohort 3"  # running, with the demo learner
BOOTCAMP_COHORT = "Pre-promotion bootcamp · cohort 1"
LEADERSHIP_COHORTS = (LAST_YEAR_COHORT, SMALL_COHORT, DEMO_COHORT)

SEED = 3141
MANAGER_LEVELS = ("M1", "M2")  # engineering managers and team leads
SENIOR_LEVELS = ("L3", "L4")  # senior and lead engineers, with nobody reporting to them
# A year of team history before cohort 1 started, for before-and-after comparisons.
COMPARISON_WINDOW = datetime.timedelta(days=365)
# Having reports is checked on days this far apart (and on each cohort's first day).
CHECK_EVERY = datetime.timedelta(days=28)
LIVE_SESSION_TIME = datetime.time(14, 0)  # Thursday afternoon of the session's week
LEADERSHIP_COMPETENCIES = (
    "feedback_delivery",
    "delegation",
    "stakeholder_management",
    "psychological_safety",
    "communication",
    "conflict_resolution",
    "emotional_intelligence",
    "strategic_thinking",
)
# Nobody starts a program between 20 December and 6 January: a cohort whose first week
# would touch those days moves to the nearer Monday outside them.
HOLIDAYS = ((12, 20), (1, 6))


@dataclass(frozen=True)
class DemoCohort:
    name: str
    weeks_ago: int  # started on the Monday this many weeks before this week's
    size: int  # learners, besides the demo learner
    capacity: int
    coached: bool = True
    # The running cohorts' week (9 and 3) is the story; only finished ones move off
    # the holidays.
    running: bool = False


DEMO_COHORTS = (
    DemoCohort(LAST_YEAR_COHORT, weeks_ago=48, size=10, capacity=12),
    DemoCohort(SMALL_COHORT, weeks_ago=8, size=6, capacity=12, running=True),
    DemoCohort(DEMO_COHORT, weeks_ago=2, size=9, capacity=12, running=True),
    DemoCohort(BOOTCAMP_COHORT, weeks_ago=10, size=8, capacity=10, coached=False),
)

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


def _programs_create(actor: Actor) -> tuple[Program, Program]:
    """The two program templates: Leading IT teams (12 weeks) and the bootcamp (3 weeks)."""
    organization = actor.organization
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
        # Every competency of the framework: the program's scenarios, role-plays and
        # one-on-ones touch all eight, and each gets the default target (4.0), so a
        # learner's plan ranks their real weaknesses rather than the few listed.
        competency_ids=[comps[k] for k in LEADERSHIP_COMPETENCIES],
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
            "The missed deadline, using SBI",
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
            "The technical-debt conversation with your product owner",
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
            "The quiet remote engineer's one-to-one",
            {"scenario": scenarios["quiet-remote-engineer-one-on-one"]},
        ),
        (
            9,
            ModuleKind.SCENARIO,
            "The senior developer who resists code review",
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
    for week, kind, title, extra in plan:
        _module(actor, program, week, kind, title, **extra)

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
    return program, bootcamp


# --- Who is enrolled ------------------------------------------------------------------


def first_week_in_holidays(monday: datetime.date) -> bool:
    """Whether a first week starting on this Monday (to its Friday) touches 20 Dec-6 Jan."""
    (first_month, first_day), (last_month, last_day) = HOLIDAYS
    for day in (monday + datetime.timedelta(days=n) for n in range(5)):
        if (day.month, day.day) >= (first_month, first_day) or (day.month, day.day) <= (
            last_month,
            last_day,
        ):
            return True
    return False


def _off_the_holidays(monday: datetime.date) -> datetime.date:
    """The nearest Monday whose first week misses the holidays (earlier on a tie)."""
    for weeks in range(5):
        for shift in (-weeks, weeks):
            candidate = monday + datetime.timedelta(weeks=shift)
            if not first_week_in_holidays(candidate):
                return candidate
    return monday  # unreachable: the holidays span under three weeks


def cohort_starts(today: datetime.date) -> dict[str, datetime.date]:
    """Each demo cohort's first day: a Monday, counted back from this week's; a finished
    cohort that would start over Christmas starts a week or two off it instead."""
    monday = today - datetime.timedelta(days=today.weekday())
    starts = {}
    for cohort in DEMO_COHORTS:
        start = monday - datetime.timedelta(weeks=cohort.weeks_ago)
        starts[cohort.name] = start if cohort.running else _off_the_holidays(start)
    return starts


class _RosterHistory:
    """The roster on past days (each read once), and who managed people then."""

    def __init__(self, organization: Organization):
        self.organization = organization
        self._rosters: dict[datetime.date, dict[int, RosterEntry]] = {}

    def on(self, day: datetime.date) -> dict[int, RosterEntry]:
        if day not in self._rosters:
            self._rosters[day] = roster_as_of(organization=self.organization, on=day)
        return self._rosters[day]

    def managers_on(self, day: datetime.date) -> set[int]:
        """Team leads and engineering managers with at least one direct report that day."""
        roster = self.on(day)
        bosses = {entry.manager_id for entry in roster.values()}
        return {pk for pk in bosses if pk in roster and roster[pk].level in MANAGER_LEVELS}

    def managers_throughout(self, first: datetime.date, last: datetime.date) -> set[int]:
        days, day = [], first
        while day < last:
            days.append(day)
            day += CHECK_EVERY
        found = self.managers_on(last)
        for day in days:
            found &= self.managers_on(day)
        return found


def _learners_choose(
    *, organization: Organization, starts: dict[str, datetime.date], demo_learner: Employee
) -> dict[str, list[int]]:
    """Employee ids for each demo cohort (the demo learner first in hers). Nobody who
    signs in to the demo is chosen, and nobody is in two cohorts."""
    today = organization.today()
    history = _RosterHistory(organization)
    rng = random.Random(SEED)
    with_login = set(
        Employee.objects.filter(organization=organization, user__isnull=False).values_list(
            "pk", flat=True
        )
    )

    def shuffled(pks: set[int]) -> list[int]:
        ordered = sorted(pks - with_login)
        rng.shuffle(ordered)
        return ordered

    # Cohort 1 and its waitlist comparison (cohort 3) managed people from a year before
    # cohort 1 started until today, and on each leadership cohort's first day.
    throughout = history.managers_throughout(starts[LAST_YEAR_COHORT] - COMPARISON_WINDOW, today)
    for name in LEADERSHIP_COHORTS:
        throughout &= history.managers_on(starts[name])
    sizes = {c.name: c.size for c in DEMO_COHORTS}
    pool = shuffled(throughout)
    # One of the demo learner's peers (another of manager@'s engineering managers) joins
    # her cohort, so manager@ has a report of her own to assess there.
    roster_today = history.on(today)
    peers = [pk for pk in pool if roster_today[pk].manager_id == demo_learner.manager_id]
    if peers:
        pool.remove(peers[0])
    last_year, waitlist = pool[: sizes[LAST_YEAR_COHORT]], pool[sizes[LAST_YEAR_COHORT] :]
    if peers:
        waitlist.insert(0, peers[0])
    chosen = {
        LAST_YEAR_COHORT: last_year,
        DEMO_COHORT: [demo_learner.pk, *waitlist[: sizes[DEMO_COHORT]]],
    }
    taken = {demo_learner.pk, *chosen[LAST_YEAR_COHORT], *chosen[DEMO_COHORT]}
    # Cohort 2 prefers newer managers: those promoted or hired in the last two years.
    managing = history.managers_on(starts[SMALL_COHORT]) & history.managers_on(today)
    newer = shuffled(managing - throughout - taken)
    chosen[SMALL_COHORT] = (newer + shuffled((managing & throughout) - taken))[
        : sizes[SMALL_COHORT]
    ]
    # The bootcamp: senior engineers nobody reported to, still here today.
    start = starts[BOOTCAMP_COHORT]
    roster = history.on(start)
    bosses = {entry.manager_id for entry in roster.values()}
    enablement = Employee.objects.get(
        organization=organization, user__email="lnd@acme.example"
    ).team_id
    seniors = {
        pk
        for pk, entry in roster.items()
        if entry.level in SENIOR_LEVELS
        and entry.team_id != enablement
        and pk not in bosses
        and pk in history.on(today)
    }
    chosen[BOOTCAMP_COHORT] = shuffled(seniors)[: sizes[BOOTCAMP_COHORT]]
    for cohort in DEMO_COHORTS:
        wanted = cohort.size + (cohort.name == DEMO_COHORT)
        if len(chosen[cohort.name]) != wanted:
            raise RuntimeError(f"The demo roster has too few people for {cohort.name}.")
    return chosen


# --- What they did ----------------------------------------------------------------------

REFLECTIONS = {
    "Feedback you avoided": (
        "I never told our most senior engineer that his review comments read as contempt. "
        "I told myself he was too valuable to upset; the cost was two juniors who stopped "
        "asking him anything.",
        "I sat on feedback about missed stand-ups for a month because the person was going "
        "through a hard time. By the time I said something it sounded like an ambush.",
        "I avoided telling my product owner that the team thinks the roadmap is fiction. "
        "The team now assumes I agree with it.",
    ),
    "What changed in how you lead?": (
        "In week 1 I rewrote a pull request myself rather than explain what was wrong. This "
        "week I asked the author to walk me through the failure path, and they found it.",
        "I used to give feedback in the retro, in front of everyone. Now I give it the same "
        "day, in private, with SBI, and the retro is about the system.",
        "I hand over work I could do faster myself, and I say how much support comes with it.",
    ),
    "Am I ready to lead?": (
        "I will stop being the person who answers every question in the channel.",
        "I will stop taking the hardest ticket each sprint and start pairing on it instead.",
        "I will stop reviewing every pull request and trust the team's own reviews.",
    ),
}
DEMO_LEARNER_REFLECTION = (
    "I have not told Jonas that his estimates are always half of what things take. I was "
    "worried he would stop giving estimates at all. The cost: the team works weekends at the "
    "end of every sprint, and they think I don't notice."
)


# Practice-log entries: first names are filled in from the learner's own direct reports.
SBI_ENTRIES = (
    (
        "In Tuesday's incident review of the payment-gateway outage, in front of the whole team.",
        "{name}, you walked us through the timeline minute by minute and named the two alerts "
        "we had muted, including the one you had muted yourself.",
        "We agreed on the alerting fix in twenty minutes instead of arguing about blame, and "
        "two juniors asked their first questions in a review.",
        "Would you run the next incident review the same way?",
    ),
    (
        "In yesterday's sprint review, when the product owner asked about the export feature.",
        "{name}, you said it was done, but the pull request still had two failing integration "
        "tests and no migration.",
        "The product owner announced it to the customer; we had to walk it back this morning "
        "and the team spent half a day on a hot fix.",
        "Next time, could you say what is left and when you expect it?",
    ),
    (
        "During Thursday's on-call handover for the Kubernetes upgrade.",
        "{name}, you wrote down every node pool you had drained, the one that failed, and the "
        "command to roll it back.",
        "The night shift finished the upgrade without paging anyone, and the runbook now has "
        "your notes in it.",
        "",
    ),
    (
        "In Monday's architecture review of the new identity service.",
        "{name}, you interrupted the new backend engineer three times while she was presenting "
        "the token design and answered the questions meant for her.",
        "She stopped presenting halfway through, and we decided on the design without hearing "
        "her reasons for the refresh-token change.",
        "In the next review, could you hold your questions until she has finished?",
    ),
    (
        "In last week's code review of the billing reconciliation job.",
        "{name}, you left thirty-one comments on a junior's first pull request, most of them "
        "about naming, and approved nothing.",
        "He has not opened a pull request since Friday and asked me whether he should pair "
        "with someone else instead.",
        "Could you mark which comments must be fixed and which are suggestions?",
    ),
    (
        "At Wednesday's planning, when we estimated the search migration.",
        "{name}, you split the epic into six tickets with acceptance criteria before anyone "
        "asked and flagged the two that depend on the data team.",
        "We committed to a sprint we could finish, and the data team scheduled their part the "
        "same afternoon.",
        "",
    ),
)
# (task, complexity 1-3, readiness 1-4, how it went)
DELEGATION_TASKS = (
    (
        "Run the weekly release train",
        1,
        3,
        "Two releases went out on time, with a checklist step I had never written down.",
    ),
    (
        "Lead the post-incident review for the checkout outage",
        2,
        2,
        "Good timeline; I had to step in once when the discussion turned to blame.",
    ),
    (
        "Own the PostgreSQL 16 upgrade plan",
        3,
        3,
        "A blocking extension I had missed turned up in their plan, and they moved the date "
        "themselves.",
    ),
    (
        "Interview candidates for the backend opening",
        2,
        1,
        "We paired on the first two; the third interview they ran alone, with a clear write-up.",
    ),
    (
        "Represent the team in the API design guild",
        2,
        4,
        "They came back with a decision, and the team heard about it from them, not from me.",
    ),
    (
        "Triage the bug backlog with the product owner",
        1,
        2,
        "Took two sessions together before it ran without me; the backlog is down by a third.",
    ),
    (
        "Write the on-call runbook for the payment service",
        2,
        3,
        "Finished in a week; the first page under it was solved without escalation.",
    ),
)
DELEGATION_MODULE = "Map your delegation"
SBI_MODULE = "Write your first SBI feedback"


class _Learning:
    """What learners did, with the dates they did it, written in bulk by save()."""

    def __init__(self, organization: Organization, facilitator: User, rng: random.Random):
        self.zone = zoneinfo.ZoneInfo(organization.time_zone)
        self.now = timezone.now()
        self.facilitator = facilitator
        self.rng = rng
        self.versions = {
            s.pk: s.current_version
            for s in Scenario.objects.filter(organization=organization).select_related(
                "current_version"
            )
        }
        self.progress: list[ModuleProgress] = []
        self.attempts: list[ScenarioAttempt] = []
        self.reflections: list[Reflection] = []
        self.attendance: list[LiveSessionAttendance] = []
        self.sbi_entries: list[SbiEntry] = []
        self.decisions: list[DelegationDecision] = []
        self.last_done: dict[int, datetime.datetime] = {}
        # Each learner's direct reports' first names, for the practice logs.
        self.reports: dict[int, list[str]] = {}

    def reports_read(self, cohort: Cohort) -> None:
        """The first names of each learner's direct reports when the cohort started."""
        roster = roster_as_of(organization=cohort.organization, on=cohort.start_date)
        learners = set(cohort.enrollments.values_list("employee_id", flat=True))
        reports = [e for e in roster.values() if e.manager_id in learners]
        names = dict(
            Employee.objects.filter(pk__in=[e.employee_id for e in reports]).values_list(
                "pk", "full_name"
            )
        )
        for entry in sorted(reports, key=lambda e: e.employee_id):
            first = names[entry.employee_id].split()[0]
            self.reports.setdefault(entry.manager_id, []).append(first)

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        when = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.zone)
        # Nothing is done in the future, even this week's modules done this morning.
        return min(when, self.now - datetime.timedelta(minutes=5))

    def complete(
        self,
        cohort: Cohort,
        enrollment: Enrollment,
        module: Module,
        *,
        late_days: int = 0,
        reflection: str = "",
    ) -> None:
        rng = self.rng
        if module.kind == ModuleKind.LIVE_SESSION:
            done = module.session_starts_at + datetime.timedelta(hours=2)
            self.attendance.append(
                LiveSessionAttendance(
                    module=module,
                    enrollment=enrollment,
                    attended=True,
                    recorded_by=self.facilitator,
                    recorded_at=done,
                )
            )
        else:
            day = cohort.week_starts(module.release_week) + datetime.timedelta(
                days=rng.randint(0, 3) + late_days
            )
            done = self.at(day, rng.randint(8, 18), rng.choice((0, 15, 30, 45)))
            # Modules are done in the order they are listed.
            earliest = self.last_done.get(enrollment.pk)
            if earliest is not None and done <= earliest:
                done = min(
                    earliest + datetime.timedelta(minutes=40),
                    self.now - datetime.timedelta(minutes=5),
                )
        self.last_done[enrollment.pk] = done
        self.progress.append(
            ModuleProgress(
                enrollment=enrollment,
                module=module,
                status=ProgressStatus.COMPLETED,
                started_at=done - datetime.timedelta(minutes=module.estimated_minutes),
                completed_at=done,
                rating=rng.choice((None, 3, 4, 4, 5, 5)),
            )
        )
        if module.kind == ModuleKind.SCENARIO:
            self.attempts.append(self._attempt(enrollment, module, done))
        elif module.kind == ModuleKind.REFLECTION:
            text = reflection or rng.choice(REFLECTIONS.get(module.title, ("Noted.",)))
            self.reflections.append(
                Reflection(enrollment=enrollment, module=module, text=text, updated_at=done)
            )
        elif module.kind in (ModuleKind.SBI_PRACTICE, ModuleKind.DELEGATION_PRACTICE):
            self._practice(cohort, enrollment, module, done)

    def _practice_times(
        self, cohort: Cohort, module: Module, done: datetime.datetime, count: int
    ) -> list[datetime.datetime]:
        """Times inside the module's week, before it was marked done (and never later
        than now), oldest first."""
        monday = cohort.week_starts(module.release_week)
        week_start = datetime.datetime.combine(monday, datetime.time(0, 0), tzinfo=self.zone)
        week_end = week_start + datetime.timedelta(days=7)
        last = min(done, week_end - datetime.timedelta(hours=6)) - datetime.timedelta(minutes=10)
        last = max(last, week_start + datetime.timedelta(minutes=count))
        span = max(int((last - week_start).total_seconds() // 60), count)
        offsets = sorted(self.rng.sample(range(span), count - 1)) if count > 1 else []
        return [week_start + datetime.timedelta(minutes=m) for m in offsets] + [last]

    def _practice(
        self, cohort: Cohort, enrollment: Enrollment, module: Module, done: datetime.datetime
    ) -> None:
        """The practice log a learner who did this module wrote: one or two SBI entries,
        or three delegation decisions (finished weeks also record how they went)."""
        rng = self.rng
        names = self.reports.get(enrollment.employee_id) or ["Alex", "Sam", "Robin"]
        if module.kind == ModuleKind.SBI_PRACTICE:
            picked = rng.sample(SBI_ENTRIES, rng.choice((1, 1, 2)))
            for (situation, behavior, impact, request), at in zip(
                picked, self._practice_times(cohort, module, done, len(picked)), strict=True
            ):
                self.sbi_entries.append(
                    SbiEntry(
                        enrollment=enrollment,
                        situation=situation,
                        behavior=behavior.format(name=rng.choice(names)),
                        impact=impact,
                        request=request,
                        created_at=at,
                    )
                )
            return
        picked = rng.sample(DELEGATION_TASKS, 3)
        for (task, complexity, readiness, outcome), at in zip(
            picked, self._practice_times(cohort, module, done, 3), strict=True
        ):
            advice = practice.delegation_recommend(complexity=complexity, readiness=readiness)
            # Two weeks on, the learner writes down how it went (only for days gone by).
            how_it_went = at + datetime.timedelta(days=rng.randint(9, 16), hours=rng.randint(1, 5))
            recorded = how_it_went < self.now
            self.decisions.append(
                DelegationDecision(
                    enrollment=enrollment,
                    task=task,
                    delegate_name=rng.choice(names),
                    complexity=complexity,
                    readiness=readiness,
                    recommended_level=advice.level,
                    chosen_level=advice.level,
                    outcome=outcome if recorded else "",
                    outcome_recorded_at=how_it_went if recorded else None,
                    created_at=at,
                )
            )

    def _attempt(
        self, enrollment: Enrollment, module: Module, done: datetime.datetime
    ) -> ScenarioAttempt:
        """A finished play-through: mostly the best-scoring choice, sometimes another."""
        version = self.versions[module.scenario_id]
        definition = version.definition
        step_id, path, scores = definition["start"], [], {}
        while True:
            choices = scenario_format.step_of(definition, step_id)["choices"]
            best = max(range(len(choices)), key=lambda i: sum(choices[i]["scores"].values()))
            index = best if self.rng.random() < 0.65 else self.rng.randrange(len(choices))
            picked = choices[index]
            path.append({"step": step_id, "choice": index})
            for key, delta in picked["scores"].items():
                scores[key] = scores.get(key, 0) + delta
            if picked.get("ending"):
                break
            step_id = picked["next"]
        return ScenarioAttempt(
            enrollment=enrollment,
            module=module,
            version=version,
            status=AttemptStatus.FINISHED,
            current_step="",
            path=path,
            scores=scores,
            ending=picked["ending"],
            total_score=sum(scores.values()),
            started_at=done - datetime.timedelta(minutes=module.estimated_minutes),
            finished_at=done,
        )

    def save(self) -> None:
        ModuleProgress.objects.bulk_create(self.progress, batch_size=500)
        ScenarioAttempt.objects.bulk_create(self.attempts, batch_size=500)
        Reflection.objects.bulk_create(self.reflections, batch_size=500)
        LiveSessionAttendance.objects.bulk_create(self.attendance, batch_size=500)
        SbiEntry.objects.bulk_create(self.sbi_entries, batch_size=500)
        DelegationDecision.objects.bulk_create(self.decisions, batch_size=500)


def _schedule(cohort: Cohort, modules: list[Module]) -> tuple[list[Module], list[Module]]:
    """The modules already due (released over a week ago, so overdue if not done) and
    those released this week (the grid's rule, programs.selectors.OVERDUE_AFTER)."""
    today = cohort.organization.today()
    released = [m for m in modules if cohort.week_starts(m.release_week) <= today]
    due = [m for m in released if today >= cohort.week_starts(m.release_week) + OVERDUE_AFTER]
    return due, [m for m in released if m not in due]


def _progress_write(
    *, learning: _Learning, cohort: Cohort, demo_learner: Employee | None = None
) -> None:
    """A finished cohort did everything (a few of them late); a running one has a few
    learners ahead (this week's modules done too), most on track, and in the demo
    learner's cohort exactly two behind; in the small cohort one is behind."""
    rng = learning.rng
    modules = list(cohort.program.modules.order_by("release_week", "position", "id"))
    enrollments = list(cohort.enrollments.order_by("employee__employee_id"))
    due, this_week = _schedule(cohort, modules)
    if not this_week and len(due) == len(modules):  # finished
        for enrollment in enrollments:
            late = 7 if rng.random() < 0.15 else 0
            for module in modules:
                learning.complete(cohort, enrollment, module, late_days=late * (rng.random() < 0.3))
        return
    others = [e for e in enrollments if demo_learner is None or e.employee_id != demo_learner.pk]
    rng.shuffle(others)
    if demo_learner is not None:
        mine = next(e for e in enrollments if e.employee_id == demo_learner.pk)
        for module in due:
            text = DEMO_LEARNER_REFLECTION if module.kind == ModuleKind.REFLECTION else ""
            learning.complete(cohort, mine, module, reflection=text)
        ahead, behind = others[:3], others[-2:]
        # One missed last week's reflection; the other stopped after two week-1 modules.
        missed = {behind[0].pk: due[:-1], behind[1].pk: due[:2]}
    else:
        ahead, behind = others[:1], others[-1:]
        missed = {behind[0].pk: due[:-1]}  # last week's scenario
    for enrollment in others:
        done = missed.get(enrollment.pk, due + this_week if enrollment in ahead else due)
        for module in done:
            learning.complete(cohort, enrollment, module)


# --- Putting it together ----------------------------------------------------------------


def _live_sessions_date(*, actor: Actor, cohort: Cohort) -> None:
    """Each live session on the Thursday of its week, in the cohort's own copy."""
    zone = zoneinfo.ZoneInfo(actor.organization.time_zone)
    for module in cohort.program.modules.filter(kind=ModuleKind.LIVE_SESSION).prefetch_related(
        "competencies"
    ):
        day = cohort.week_starts(module.release_week) + datetime.timedelta(days=3)
        services.module_save(
            actor=actor,
            program=cohort.program,
            module=module,
            title=module.title,
            kind=module.kind,
            release_week=module.release_week,
            body=module.body,
            competency_ids=[c.pk for c in module.competencies.all()],
            estimated_minutes=module.estimated_minutes,
            session_starts_at=datetime.datetime.combine(day, LIVE_SESSION_TIME, tzinfo=zone),
            session_location=module.session_location,
        )


@transaction.atomic
def demo_programs_load(*, organization: Organization) -> dict:
    """Creates the demo programs, their four cohorts and what the learners did so far.
    Idempotent: nothing is added once the leadership program exists. Returns `created`,
    and `cohorts` and `learners` counts when it created them."""
    services.organization_content_seed(organization=organization)
    if Program.objects.filter(organization=organization, title=DEMO_PROGRAM).exists():
        return {"created": False}
    lnd = User.objects.get(email="lnd@acme.example")
    coach = User.objects.get(email="coach@acme.example")
    actor = actor_for_user(user=lnd, organization=organization)
    leadership, bootcamp = _programs_create(actor)
    starts = cohort_starts(organization.today())
    # Lena went through the competency framework and built the programs well before
    # cohort 1 began; the services stamp today's date, so those dates are set here.
    prepared = datetime.datetime.combine(
        starts[LAST_YEAR_COHORT] - datetime.timedelta(days=70),
        datetime.time(11, 0),
        tzinfo=zoneinfo.ZoneInfo(organization.time_zone),
    )
    services.framework_mark_reviewed(actor=actor)
    FrameworkReview.objects.filter(organization=organization).update(reviewed_at=prepared)
    demo_learner = Employee.objects.get(organization=organization, email="learner@acme.example")
    chosen = _learners_choose(organization=organization, starts=starts, demo_learner=demo_learner)
    employees = Employee.objects.in_bulk([pk for pks in chosen.values() for pk in pks])
    learning = _Learning(organization, lnd, random.Random(SEED))
    for spec in DEMO_COHORTS:
        cohort = services.cohort_save(
            actor=actor,
            program=bootcamp if spec.name == BOOTCAMP_COHORT else leadership,
            name=spec.name,
            start_date=starts[spec.name],
            end_date=None,
            capacity=spec.capacity,
            facilitator=lnd,
            coach_ids=[coach.pk] if spec.coached else [],
        )
        services.enrollment_add(
            actor=actor,
            cohort=cohort,
            employees=[employees[pk] for pk in chosen[spec.name]],
            notify=False,
        )
        # Scheduled six weeks ahead; enrolled (and welcomed) a fortnight before the start.
        Cohort.objects.filter(pk=cohort.pk).update(
            created_at=learning.at(cohort.start_date - datetime.timedelta(days=42), 9)
        )
        cohort.enrollments.update(
            enrolled_at=learning.at(cohort.start_date - datetime.timedelta(days=14), 10)
        )
        _live_sessions_date(actor=actor, cohort=cohort)
        learning.reports_read(cohort)
        _progress_write(
            learning=learning,
            cohort=cohort,
            demo_learner=demo_learner if spec.name == DEMO_COHORT else None,
        )
    learning.save()
    # The templates and each cohort's copy of them.
    Program.objects.filter(organization=organization).update(
        created_at=prepared + datetime.timedelta(days=2)
    )
    return {
        "created": True,
        "cohorts": len(DEMO_COHORTS),
        "learners": sum(len(pks) for pks in chosen.values()),
    }
