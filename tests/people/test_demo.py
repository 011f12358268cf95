"""load_demo lives in people and runs what each app registers, floor by floor; the demo it
builds tells a believable story (issue 9): who is in which cohort, who manages whom, and
how far each learner has got."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from assessments.models import Assessment, AssessmentStatus, Phase
from people.demo import DEMO_LOADERS, HISTORY_DAYS
from people.models import Employee, EmployeeRecord, Organization
from people.selectors import roster_as_of
from programs.demo import (
    BOOTCAMP_COHORT,
    DEMO_COHORT,
    LAST_YEAR_COHORT,
    LEADERSHIP_COHORTS,
    SMALL_COHORT,
)
from programs.models import (
    Cohort,
    Enrollment,
    LiveSessionAttendance,
    ModuleKind,
    ModuleProgress,
    ScenarioAttempt,
)
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
    assert "Wrote the leadership cohorts' assessment rounds (70 assessments)." in output


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
    assert 320 <= (today - last_year.start_date).days <= 350, "about eleven months ago"
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
        "A missed deadline, using SBI",
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


def test_last_years_cohort_has_submitted_baseline_and_final_assessments(cohorts):
    cohort = cohorts[LAST_YEAR_COHORT]
    for phase in (Phase.BASELINE, Phase.FINAL):
        mine = assessments(cohort, phase=phase)
        assert mine.filter(template__kind="self").count() == 10
        assert mine.filter(template__kind="manager").count() >= 8
        assert not mine.exclude(status=AssessmentStatus.SUBMITTED).exists()
        assert all(
            a.submitted_at.date() < cohort.end_date + datetime.timedelta(days=21) for a in mine
        )


def test_most_assessments_of_the_running_cohort_are_in_and_manager_has_hers_to_do(cohorts):
    cohort = cohorts[DEMO_COHORT]
    managers = assessments(cohort, template__kind="manager")
    submitted = managers.filter(status=AssessmentStatus.SUBMITTED).count()
    assert submitted > managers.count() / 2
    assert submitted < managers.count()
    learner_self = assessments(cohort, subject__email="learner@acme.example", template__kind="self")
    assert learner_self.get().status == AssessmentStatus.SUBMITTED
    waiting = Assessment.objects.filter(
        rater__email="manager@acme.example", status=AssessmentStatus.DRAFT
    )
    assert [a.subject.email for a in waiting] == ["learner@acme.example"]


def test_load_demo_refuses_to_run_in_production(settings, db):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo")
