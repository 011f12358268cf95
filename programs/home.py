"""The programs app's contributions to the home page (see people.home)."""

from django.urls import reverse

from people import charts
from people.home import TodoItem, register_section, register_todo
from people.onboarding import register_onboarding_step
from people.permissions import Actor
from programs import completion, home_reads, selectors
from programs.permissions import can_manage_programs


def _my_program(actor: Actor) -> dict | None:
    if not actor.is_learner:
        return None
    return {
        "plans": [
            selectors.learner_plan(enrollment=e) for e in selectors.learner_enrollments(actor=actor)
        ]
    }


def _cohorts(actor: Actor) -> dict | None:
    if not can_manage_programs(actor):
        return None
    cohorts = list(selectors.cohort_list(organization=actor.organization)[:5])
    glance = completion.cohorts_at_a_glance(organization=actor.organization, cohorts=cohorts)
    return {"cohorts": cohorts, "chart": _cohorts_chart(glance)}


def _cohorts_chart(glance: list[completion.CohortGlance]):
    return charts.small_multiples(
        title="Cohorts at a glance: completion and learners behind",
        items=[g.cohort.name for g in glance],
        measures=[
            charts.Measure(
                label="Completion",
                values=[g.percent for g in glance],
                maxima=[100] * len(glance),
                text="{value:.0f}%",
            ),
            charts.Measure(
                label="Learners behind",
                values=[g.behind for g in glance],
                maxima=[max(g.learners, 1) for g in glance],
                text="{value:.0f} of {maximum:.0f}",
            ),
        ],
        chart_id="cohorts-chart",
    )


def _team_programs(actor: Actor) -> dict | None:
    if not actor.is_line_manager:
        return None
    enrollments = list(selectors.report_enrollments(actor=actor))
    if not enrollments:
        return None
    running, finished = selectors.by_cohort_end(enrollments, today=actor.organization.today())
    return {"report_enrollments": running, "finished": finished}


def _coaching(actor: Actor) -> dict | None:
    if not actor.is_coach:
        return None
    enrollments = list(selectors.coach_enrollments(actor=actor))
    running, finished = selectors.by_cohort_end(enrollments, today=actor.organization.today())
    return {"coachees": running, "finished": finished}


def _facilitation(actor: Actor) -> dict | None:
    sessions = selectors.facilitated_sessions(actor=actor)
    return {"sessions": sessions} if sessions else None


def _modules_to_do(actor: Actor) -> list[TodoItem]:
    """The learner's overdue modules first, then this week's unfinished ones."""
    if not actor.is_learner:
        return []
    items = []
    for enrollment in selectors.learner_enrollments(actor=actor):
        plan = selectors.learner_plan(enrollment=enrollment)
        for state, urgency in [(s, "overdue") for s in plan.overdue] + [
            (s, "") for s in plan.this_week if s.status != "completed"
        ]:
            items.append(
                TodoItem(
                    text=f"{state.module.title}",
                    url=reverse("learn:module", args=[enrollment.pk, state.module.pk]),
                    urgency=urgency,
                )
            )
    return items


def _enrolment_imports_to_commit(actor: Actor) -> list[TodoItem]:
    """Enrolment files checked without problems that nobody has enrolled yet."""
    if not can_manage_programs(actor):
        return []
    items = []
    for batch in home_reads.enrollment_imports_awaiting(organization=actor.organization)[:10]:
        ready = batch.summary.get("ready", 0)
        items.append(
            TodoItem(
                text=f"Enrol {ready} learner{'s' if ready != 1 else ''} from "
                f"{batch.filename} into {batch.cohort.name}",
                url=reverse("programs:enrol_csv_preview", args=[batch.cohort_id, batch.pk]),
            )
        )
    return items


def _cohorts_starting_soon(actor: Actor) -> list[TodoItem]:
    """Cohorts starting within home_reads.COHORT_SOON_DAYS, with what each still lacks."""
    if not can_manage_programs(actor):
        return []
    items = []
    for soon in home_reads.cohorts_starting_soon(organization=actor.organization):
        cohort = soon.cohort
        if soon.missing:
            state = ": " + ", ".join(soon.missing)
        else:
            state = f" with {soon.learners} learner{'s' if soon.learners != 1 else ''}"
        items.append(
            TodoItem(
                text=f"{cohort.name} starts on {cohort.start_date.day} "
                f"{cohort.start_date:%B}{state}",
                url=reverse("programs:cohort_detail", args=[cohort.pk]),
                due=cohort.start_date,
                urgency="due soon" if soon.missing else "",
            )
        )
    return items


def _register_onboarding() -> None:
    register_onboarding_step(
        key="programs.competencies",
        order=20,
        label="Review the competencies",
        url_name="programs:competencies",
        hint="Rename, add or retire competencies until the framework fits, then mark it reviewed.",
        done=lambda actor: home_reads.framework_review(organization=actor.organization) is not None,
    )
    register_onboarding_step(
        key="programs.program",
        order=30,
        label="Build a program",
        url_name="programs:program_new",
        hint="Weeks of lessons, scenarios and practice, released from each cohort's start.",
        done=lambda actor: home_reads.has_program(organization=actor.organization),
    )
    register_onboarding_step(
        key="programs.cohort",
        order=40,
        label="Open a cohort",
        url_name="programs:cohort_new",
        hint="Choose a program and a start date, then enrol learners.",
        done=lambda actor: home_reads.has_cohort(organization=actor.organization),
    )


def _learners_behind(actor: Actor) -> list[TodoItem]:
    """The coach's learners with a module overdue, by the rule the grid, "My team" and the
    coach's list share (selectors.enrollment_summaries). Three queries for any number."""
    if not actor.is_coach:
        return []
    # A finished cohort's unfinished modules stay overdue for ever; that is no longer a
    # reason to check in.
    enrollments, _finished = selectors.by_cohort_end(
        list(selectors.coach_enrollments(actor=actor)), today=actor.organization.today()
    )
    summaries = selectors.enrollment_summaries(enrollments=enrollments)
    items = []
    for enrollment in enrollments:
        behind = summaries[enrollment.pk]["behind"]
        if behind:
            items.append(
                TodoItem(
                    text=f"Check in with {enrollment.employee.full_name}: "
                    f"{behind} module{'s' if behind != 1 else ''} overdue",
                    url=reverse("follow:learner", args=[enrollment.pk]),
                    urgency="overdue",
                )
            )
    return items


def register() -> None:
    register_section(
        key="programs.my_program",
        order=10,
        template="programs/home/my_program.html",
        context=_my_program,
    )
    register_section(
        key="programs.team_programs",
        order=31,
        template="programs/home/team_programs.html",
        context=_team_programs,
    )
    register_section(
        key="programs.coaching",
        order=20,
        template="programs/home/coaching.html",
        context=_coaching,
    )
    register_section(
        key="programs.facilitation",
        order=40,
        template="programs/home/facilitation.html",
        context=_facilitation,
    )
    register_section(
        key="programs.cohorts",
        order=45,
        template="programs/home/cohorts.html",
        context=_cohorts,
    )
    register_todo(key="programs.modules", order=10, items=_modules_to_do)
    register_todo(key="programs.enrolment_imports", order=82, items=_enrolment_imports_to_commit)
    register_todo(key="programs.cohorts_soon", order=86, items=_cohorts_starting_soon)
    _register_onboarding()
    register_todo(key="programs.learners_behind", order=30, items=_learners_behind)
