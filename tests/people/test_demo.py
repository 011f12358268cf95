"""load_demo lives in people and runs what each app registers, floor by floor; the demo it
builds tells a believable story (issue 9): who is in which cohort, who manages whom, and
how far each learner has got."""

import datetime
import zoneinfo
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.demo import GOALS_IN_THEIR_WORDS
from assessments.models import Assessment, AssessmentStatus, DevelopmentPlan, Phase, PlanStatus
from assessments.scoring import top_gaps
from assessments.selectors import learner_gaps
from assessments.services.plans import GOAL_PLACEHOLDER, plan_draft_awaits
from people.demo import DEMO_LOADERS, HISTORY_DAYS
from people.models import Employee, EmployeeRecord, Organization, User
from people.selectors import roster_as_of
from programs.demo import (
    BOOTCAMP_COHORT,
    DEMO_COHORT,
    LAST_YEAR_COHORT,
    LEADERSHIP_COHORTS,
    LEADERSHIP_COMPETENCIES,
    SMALL_COHORT,
    cohort_starts,
    first_week_in_holidays,
)
from programs.models import (
    Cohort,
    DelegationDecision,
    Enrollment,
    FrameworkReview,
    LiveSessionAttendance,
    ModuleKind,
    ModuleProgress,
    SbiEntry,
    ScenarioAttempt,
)
from programs.practice import sbi_check
from programs.selectors import progress_grid


@pytest.fixture(scope="module")
def acme(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        first = StringIO()
        call_command("load_demo", stdout=first)
        yield Organization.objects.get(slug="acme"), first.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def org(acme, db):
    return acme[0]


@pytest.fixture
def cohorts(org):
    return {c.name: c for c in Cohort.objects.filter(organization=org)}


def members(cohort) -> list[Employee]:
    return [e.employee for e in cohort.enrollments.select_related("employee")]


def managers_on(org, day) -> set[int]:
    return {e.manager_id for e in roster_as_of(organization=org, on=day).values()}


def test_each_app_registers_its_demo_in_floor_order():
    assert [(loader.name, loader.floor) for loader in DEMO_LOADERS] == [
        ("programs", 2),
        ("assessments", 3),
        ("feedback360", 3),
    ]


def test_load_demo_says_what_it_built(acme, db):
    _, output = acme
    assert "Created two programs and 4 cohorts (34 learners)." in output
    assert "Wrote the leadership cohorts' assessment rounds (72 assessments)." in output


def test_loading_again_changes_nothing(org):
    def counts():
        return (
            Employee.objects.count(),
            EmployeeRecord.objects.count(),
            Cohort.objects.count(),
            Enrollment.objects.count(),
            ModuleProgress.objects.count(),
            ScenarioAttempt.objects.count(),
            Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).count(),
            Assessment.objects.count(),
        )

    before = counts()
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert "Nothing new was created." in again.getvalue()
    assert counts() == before


def test_the_demo_learner_is_an_engineering_manager_in_payments_under_manager(org, cohorts):
    learner = Employee.objects.select_related("team", "manager").get(email="learner@acme.example")
    assert (learner.full_name, learner.job_title, learner.level, learner.team.name) == (
        "Lea Becker",
        "Engineering Manager",
        "M1",
        "Payments",
    )
    head = learner.manager
    assert (head.email, head.job_title) == ("manager@acme.example", "Head of Payments")
    assert head.team.lead_id == head.pk, "manager@ heads the learner's department"
    start = cohorts[DEMO_COHORT].start_date
    for day in (start - datetime.timedelta(days=365), start, org.today()):
        reports = [
            pk
            for pk, e in roster_as_of(organization=org, on=day).items()
            if e.manager_id == learner.pk
        ]
        assert len(reports) >= 5, f"Lea Becker had {len(reports)} reports on {day}"


def test_three_leadership_cohorts_and_a_bootcamp_with_nobody_in_two(cohorts, org):
    today = org.today()
    sizes = {name: len(members(cohorts[name])) for name in cohorts}
    assert sizes == {LAST_YEAR_COHORT: 10, SMALL_COHORT: 6, DEMO_COHORT: 10, BOOTCAMP_COHORT: 8}
    everyone = [e.pk for name in cohorts for e in members(cohorts[name])]
    assert len(everyone) == len(set(everyone))
    last_year = cohorts[LAST_YEAR_COHORT]
    # 48 weeks back from this week's Monday, or a week or two off Christmas.
    assert 320 <= (today - last_year.start_date).days <= 357, "about eleven months ago"
    assert last_year.end_date == last_year.start_date + datetime.timedelta(weeks=12) < today
    running = cohorts[DEMO_COHORT]
    assert (today - running.start_date).days // 7 + 1 == 3, "the running cohort is in week 3"
    assert cohorts[SMALL_COHORT].start_date < today < cohorts[SMALL_COHORT].end_date
    assert cohorts[BOOTCAMP_COHORT].end_date < today


def test_leadership_learners_managed_people_when_their_cohort_started(cohorts, org):
    for name in LEADERSHIP_COHORTS:
        cohort = cohorts[name]
        bosses = managers_on(org, cohort.start_date)
        roster = roster_as_of(organization=org, on=cohort.start_date)
        for employee in members(cohort):
            assert employee.pk in bosses, f"{employee.full_name} had no reports when {name} began"
            assert roster[employee.pk].level in ("M1", "M2")


def test_last_years_cohort_and_its_waitlist_managed_people_a_year_before_and_since(cohorts, org):
    """Cohort 3 was not trained in cohort 1 and managed people over the same two years, so
    it serves as cohort 1's waitlist comparison."""
    last_year = cohorts[LAST_YEAR_COHORT]
    window_start = last_year.start_date - datetime.timedelta(days=365)
    trained = {e.pk for e in members(last_year)}
    waitlist = {e.pk for e in members(cohorts[DEMO_COHORT])}
    assert not trained & waitlist
    days = [window_start + datetime.timedelta(weeks=n) for n in range(0, 100, 2)]
    for day in [d for d in days if d <= org.today()] + [last_year.start_date, org.today()]:
        bosses = managers_on(org, day)
        assert trained <= bosses, day
        assert waitlist <= bosses, day


def test_hr_history_reaches_a_year_before_last_years_cohort(cohorts, org):
    last_year = cohorts[LAST_YEAR_COHORT].start_date
    window_start = last_year - datetime.timedelta(days=365)
    assert org.today() - datetime.timedelta(days=HISTORY_DAYS) <= window_start
    # The year before the cohort is simulated history (people left and moved), not only
    # the hires of the people there at the start.
    year_before = EmployeeRecord.objects.filter(
        organization=org, effective_date__gte=window_start, effective_date__lt=last_year
    )
    assert year_before.filter(event="termination").count() >= 20
    assert year_before.filter(event="change").count() >= 20
    assert len(roster_as_of(organization=org, on=window_start)) > 250


def test_the_bootcamp_enrols_senior_engineers_with_nobody_reporting_to_them(cohorts, org):
    bootcamp = cohorts[BOOTCAMP_COHORT]
    roster = roster_as_of(organization=org, on=bootcamp.start_date)
    bosses = managers_on(org, bootcamp.start_date)
    for employee in members(bootcamp):
        assert employee.pk not in bosses
        assert roster[employee.pk].level in ("L3", "L4")
        assert (
            "Engineer" in roster[employee.pk].job_title
            or "Scientist" in roster[employee.pk].job_title
        )


def grid(cohort):
    _, rows = progress_grid(cohort=cohort)
    return {row.enrollment.employee.email: row for row in rows}


def test_the_running_cohort_has_a_few_ahead_most_on_track_and_two_behind(cohorts):
    rows = grid(cohorts[DEMO_COHORT])
    released = [c["status"] != "locked" for c in next(iter(rows.values())).cells].count(True)
    behind = [r for r in rows.values() if r.is_behind]
    ahead = [r for r in rows.values() if r.completed == released]
    on_track = [r for r in rows.values() if not r.is_behind and r not in ahead]
    assert (len(ahead), len(on_track), len(behind)) == (3, 5, 2)
    assert rows["learner@acme.example"] in on_track


def test_the_demo_learner_did_the_first_two_weeks_and_played_scenarios(cohorts):
    cohort = cohorts[DEMO_COHORT]
    row = grid(cohort)["learner@acme.example"]
    done = [c["module"].title for c in row.cells if c["status"] == "completed"]
    assert done == [
        "Your first 90 days as a tech lead",
        "Code-review feedback in front of the team",
        "Write your first SBI feedback",
        "The missed deadline, using SBI",
        "Feedback you avoided",
    ]
    scores = [c["score"] for c in row.cells if c["module"].kind == ModuleKind.SCENARIO]
    assert None not in scores[:2], "both scenarios played through"
    assert set(scores[2:]) == {None}, "this week's scenario is still to play"


def test_finished_cohorts_completed_everything_on_dates_inside_their_weeks(cohorts):
    for name in (LAST_YEAR_COHORT, BOOTCAMP_COHORT):
        cohort = cohorts[name]
        for row in grid(cohort).values():
            assert row.completed == len(row.cells), row.enrollment
        for progress in ModuleProgress.objects.filter(enrollment__cohort=cohort).select_related(
            "module"
        ):
            day = progress.completed_at.date()
            assert cohort.week_starts(progress.module.release_week) <= day
            assert day <= cohort.end_date + datetime.timedelta(days=14)
    live = LiveSessionAttendance.objects.filter(enrollment__cohort=cohorts[LAST_YEAR_COHORT])
    assert live.count() == 10 and all(a.attended for a in live)


def test_every_leadership_cohorts_live_session_has_a_date_in_its_week(cohorts):
    for name in LEADERSHIP_COHORTS:
        cohort = cohorts[name]
        [session] = cohort.program.modules.filter(kind=ModuleKind.LIVE_SESSION)
        assert session.session_starts_at is not None
        monday = cohort.week_starts(session.release_week)
        assert monday <= session.session_starts_at.date() < monday + datetime.timedelta(days=7)


def test_the_coach_coaches_the_leadership_cohorts_and_is_none_of_their_learners(cohorts):
    coach_emails = {
        name: set(cohorts[name].coaches.values_list("email", flat=True)) for name in cohorts
    }
    assert coach_emails == {
        LAST_YEAR_COHORT: {"coach@acme.example"},
        SMALL_COHORT: {"coach@acme.example"},
        DEMO_COHORT: {"coach@acme.example"},
        BOOTCAMP_COHORT: set(),
    }
    coach_learning = Enrollment.objects.filter(employee__email="coach@acme.example")
    assert not coach_learning.exists()


def assessments(cohort, **filters):
    return Assessment.objects.filter(enrollment__cohort=cohort, **filters)


def test_every_last_year_learner_was_assessed_by_themselves_and_their_manager_of_the_time(
    cohorts, org
):
    """Both rounds, each learner by themselves and by whoever managed them when the round
    opened, even a manager who has left since (their login closed, the rating kept)."""
    cohort = cohorts[LAST_YEAR_COHORT]
    for phase in (Phase.BASELINE, Phase.FINAL):
        mine = assessments(cohort, phase=phase).select_related("template", "rater", "subject")
        [opens_on] = {a.opens_on for a in mine}
        roster = roster_as_of(organization=org, on=opens_on)
        managers = Employee.objects.in_bulk([roster[e.pk].manager_id for e in members(cohort)])
        expected = {(e.pk, "self", e.email) for e in members(cohort)} | {
            (e.pk, "manager", managers[roster[e.pk].manager_id].email) for e in members(cohort)
        }
        assert {(a.subject_id, a.template.kind, a.rater.email) for a in mine} == expected
        assert len(mine) == 20
        assert not mine.exclude(status=AssessmentStatus.SUBMITTED).exists()
        for a in mine:
            assert opens_on <= a.submitted_at.date() <= a.closes_on
    former = Employee.objects.filter(
        organization=org,
        user__assessments_given__enrollment__cohort=cohort,
        termination_date__lt=org.today(),
    ).select_related("user")
    assert former.exists(), "a manager of cohort 1 has left since, and keeps their ratings"
    assert all(not e.user.is_active and not e.user.has_usable_password() for e in former)


def test_most_assessments_of_the_running_cohort_are_in_and_manager_has_hers_to_do(cohorts, org):
    cohort = cohorts[DEMO_COHORT]
    managers = assessments(cohort, template__kind="manager")
    submitted = managers.filter(status=AssessmentStatus.SUBMITTED).count()
    assert submitted > managers.count() / 2
    assert submitted < managers.count()
    leas = assessments(cohort, subject__email="learner@acme.example")
    assert {a.status for a in leas} == {AssessmentStatus.SUBMITTED}, "Lea's baseline is in"
    # manager@'s to-do: her other engineering manager in the cohort.
    waiting = Assessment.objects.filter(
        rater__email="manager@acme.example", status=AssessmentStatus.DRAFT
    ).select_related("subject__manager")
    [other] = waiting
    assert other.subject.manager.email == "manager@acme.example"
    assert other.subject.email != "learner@acme.example"
    assert other.enrollment.cohort == cohort


def test_submitted_assessments_of_the_running_round_are_dated_inside_its_window(cohorts, org):
    """Not the minute the demo was loaded: working days from the opening to yesterday."""
    cohort = cohorts[DEMO_COHORT]
    done = assessments(cohort, status=AssessmentStatus.SUBMITTED)
    zone = zoneinfo.ZoneInfo(org.time_zone)
    for a in done:
        local = a.submitted_at.astimezone(zone)
        assert cohort.start_date <= local.date() < org.today(), a
        assert local.weekday() < 5 and 8 <= local.hour < 18, a
        assert a.created_at.date() <= cohort.start_date
    lea = done.get(subject__email="learner@acme.example", template__kind="self")
    assert timezone.now() - lea.submitted_at > datetime.timedelta(hours=12)


def plans(cohort):
    return DevelopmentPlan.objects.filter(enrollment__cohort=cohort).prefetch_related(
        "goals__competency"
    )


def test_finished_and_running_cohorts_have_agreed_plans_in_the_learners_words(cohorts, org):
    for name in (LAST_YEAR_COHORT, SMALL_COHORT):
        cohort = cohorts[name]
        mine = list(plans(cohort))
        assert len(mine) == len(members(cohort)), name
        shared = [p for p in mine if p.shared_with_id]
        assert 0 < len(shared) < len(mine), "some plans shared with the line manager"
        for plan in mine:
            assert plan.status == PlanStatus.AGREED
            assert plan.coach_agreed_by.email == "coach@acme.example"
            assert plan.created_at < plan.learner_agreed_at <= plan.coach_agreed_at
            assert plan.coach_agreed_at < timezone.now() - datetime.timedelta(days=7)
            goals = list(plan.goals.all())
            assert len(goals) == 3
            for goal in goals:
                assert GOAL_PLACEHOLDER not in goal.goal
                assert goal.goal in GOALS_IN_THEIR_WORDS[goal.competency.key]
                assert goal.edited_at is not None
                assert cohort.start_date <= goal.due_date <= cohort.end_date
        for plan in shared:
            assert plan.shared_seen_at > plan.updated_at, "read, so nobody's to-do asks again"
        assert not Assessment.objects.filter(enrollment__cohort=cohort, submitted_at=None).exists()


def test_the_running_cohort_has_plans_drafted_or_not_yet_and_lea_has_hers_to_draft(cohorts, client):
    cohort = cohorts[DEMO_COHORT]
    mine = list(plans(cohort))
    assert len(mine) == 3, "one agreed by the learner, two drafted; the others not yet"
    assert [p.status for p in mine].count(PlanStatus.AGREED) == 0
    awaiting_coach = [p for p in mine if p.learner_agreed_at]
    assert len(awaiting_coach) == 1
    assert not DevelopmentPlan.objects.filter(enrollment__employee__email="learner@acme.example")
    lea = Enrollment.objects.get(cohort=cohort, employee__email="learner@acme.example")
    assert plan_draft_awaits(enrollment=lea) is None
    client.force_login(lea.employee.user)
    home = client.get(reverse("home")).content.decode()
    assert "Draft your development plan for Leading IT teams" in home
    client.force_login(User.objects.get(email="coach@acme.example"))
    home = client.get(reverse("home")).content.decode()
    assert f"Agree {awaiting_coach[0].enrollment.employee.full_name}&#x27;s development plan" in (
        home
    )


def test_the_program_targets_every_competency_so_leas_gaps_rank_her_real_weaknesses(cohorts):
    program = cohorts[DEMO_COHORT].program
    targets = {
        t.competency.key: t.target for t in program.target_levels.select_related("competency")
    }
    assert targets == {key: Decimal("4.0") for key in LEADERSHIP_COMPETENCIES}
    lea = Enrollment.objects.get(
        cohort=cohorts[DEMO_COHORT], employee__email="learner@acme.example"
    )
    top = [g.competency for g in top_gaps(learner_gaps(enrollment=lea), limit=4)]
    assert top[:2] == ["delegation", "feedback_delivery"]
    assert set(top[2:]) == {"emotional_intelligence", "conflict_resolution"}


def test_practice_logs_hold_entries_from_inside_the_practice_modules_week(cohorts):
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    for name in LEADERSHIP_COHORTS:
        cohort = cohorts[name]
        for row in grid(cohort).values():
            enrollment = row.enrollment
            for cell in row.cells:
                module = cell["module"]
                if module.kind == ModuleKind.SBI_PRACTICE:
                    entries = list(enrollment.sbi_entries.all())
                elif module.kind == ModuleKind.DELEGATION_PRACTICE:
                    entries = list(enrollment.delegation_decisions.all())
                else:
                    continue
                if cell["status"] != "completed":
                    assert not entries, enrollment
                    continue
                assert entries, f"{enrollment.employee} did {module.title} but logged nothing"
                monday = cohort.week_starts(module.release_week)
                for entry in entries:
                    day = entry.created_at.astimezone(zone).date()
                    assert monday <= day < monday + datetime.timedelta(days=7)
                    assert entry.created_at < timezone.now()
    for entry in SbiEntry.objects.filter(enrollment__cohort__in=cohorts.values()):
        assert (
            sbi_check(
                situation=entry.situation,
                behavior=entry.behavior,
                impact=entry.impact,
                request=entry.request,
            )
            == []
        ), entry.behavior
    decisions = DelegationDecision.objects.filter(enrollment__cohort=cohorts[LAST_YEAR_COHORT])
    assert decisions.count() == 30
    assert all(d.outcome and d.outcome_recorded_at > d.created_at for d in decisions)
    for decision in decisions:
        report = Employee.objects.filter(
            manager=decision.enrollment.employee, full_name__startswith=decision.delegate_name
        )
        assert (
            report.exists()
            or EmployeeRecord.objects.filter(
                manager=decision.enrollment.employee,
                employee__full_name__startswith=decision.delegate_name,
            ).exists()
        ), "delegated to one of the learner's own reports"


def test_lnd_home_lists_live_sessions_with_dates_and_attendance_only_once_held(
    cohorts, client, org
):
    client.force_login(User.objects.get(email="lnd@acme.example"))
    home = client.get(reverse("home")).content.decode()
    section = home[home.index("Live sessions you facilitate") :]
    section = section[: section.index("</section>")]
    for name in LEADERSHIP_COHORTS:
        cohort = cohorts[name]
        [session] = cohort.program.modules.filter(kind=ModuleKind.LIVE_SESSION)
        when = timezone.localtime(session.session_starts_at, zoneinfo.ZoneInfo(org.time_zone))
        line = next(li for li in section.split("<li>") if f"{cohort.name}," in li)
        assert f"{when.day} {when:%b %Y %H:%M}" in line
        attendance = reverse("programs:attendance", args=[cohort.pk, session.pk])
        if name == DEMO_COHORT:
            assert session.session_starts_at > timezone.now()
            assert attendance not in line and "once it has begun" in line
        else:
            present = LiveSessionAttendance.objects.filter(module=session, attended=True).count()
            assert present == len(members(cohort))
            assert f"attendance recorded: {present} of {present} present" in line


def test_the_competency_framework_was_reviewed_before_the_programs_were_built(cohorts, client):
    review = FrameworkReview.objects.get(organization=cohorts[LAST_YEAR_COHORT].organization)
    assert review.reviewed_by.email == "lnd@acme.example"
    assert review.reviewed_at.date() < cohorts[LAST_YEAR_COHORT].created_at.date()
    client.force_login(User.objects.get(email="lnd@acme.example"))
    home = client.get(reverse("home")).content.decode()
    assert "Review the competencies" not in home
    for cohort in cohorts.values():
        assert cohort.created_at.date() < cohort.start_date


def test_cohorts_that_ran_their_course_did_not_start_over_christmas(cohorts):
    for name in (LAST_YEAR_COHORT, BOOTCAMP_COHORT):
        start = cohorts[name].start_date
        assert start.weekday() == 0
        assert not first_week_in_holidays(start)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # 48 weeks before these Mondays fall in or next to the holidays.
        (datetime.date(2026, 11, 23), datetime.date(2025, 12, 15)),  # would be 22 Dec
        (datetime.date(2026, 11, 30), datetime.date(2025, 12, 15)),  # would be 29 Dec
        (datetime.date(2026, 12, 7), datetime.date(2026, 1, 12)),  # would be 5 Jan
        (datetime.date(2026, 12, 14), datetime.date(2026, 1, 12)),  # unchanged
        (datetime.date(2026, 11, 9), datetime.date(2025, 12, 8)),  # unchanged
    ],
)
def test_a_finished_cohort_moves_off_the_holidays_by_a_week_or_two(today, expected):
    assert cohort_starts(today)[LAST_YEAR_COHORT] == expected
    assert cohort_starts(today + datetime.timedelta(days=3))[LAST_YEAR_COHORT] == expected


def test_hr_history_has_no_change_of_nothing_for_readers_who_cannot_see_pay(org, client):
    """The CTO and manager@ had only pay reviews (each 1 April) since they were hired.
    Reading their own pages, where pay is not shown, they see no "Changed" rows with
    nothing in them; the L&D manager, who sees pay, sees those rows as changes of pay."""
    for email in ("exec@acme.example", "manager@acme.example"):
        person = Employee.objects.get(email=email)
        client.force_login(person.user)
        page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
        history = page[page.index("HR history") :]
        assert "1 Apr" not in history and "Changed" not in history
        assert "Hired" in history
        client.force_login(User.objects.get(email="lnd@acme.example"))
        page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
        history = page[page.index("HR history") :]
        assert history.count("<td>1 Apr ") == 2
        assert history.count("<td>pay</td>") == 2


def test_readme_figures_are_the_demos_in_round_numbers(org):
    readme = (settings.BASE_DIR / "README.md").read_text()
    assert "about 400 people, about 330 of them active, in 13 teams" in readme
    today = org.today()
    employees = Employee.objects.filter(organization=org)
    active = [e for e in employees if e.is_employed_on(today)]
    assert abs(employees.count() - 400) <= 20 and abs(len(active) - 330) <= 20


def test_load_demo_refuses_to_run_in_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo")
