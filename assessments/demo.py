"""Demo assessments: every leadership cohort's self and line-manager assessments.

- Cohort 1 (finished) has its baseline and end-of-program rounds, all submitted, so its
  results and growth exist: every learner by themselves and by whoever managed them when
  the round opened (from the roster's history), a manager who has left since included.
- Cohort 2 (week 9) has its baseline round, submitted.
- Both have agreed development plans, drafted from each learner's gaps and written in
  their own words; about half shared with the line manager of the time.
- Cohort 3 (week 3, the demo learner's) has its baseline round open: most learners and
  most managers have answered. Both of the demo learner's are in, so her to-do asks her
  to draft her plan; manager@ still has her other report in the cohort to assess. One
  learner has agreed a plan and waits for the coach, two have drafts to write.

Rounds still open go through the services; rounds of days gone by are written in bulk
with their dates (the services refuse a closed window, as they should).
"""

import datetime
import random
import zoneinfo
from collections import Counter

from django.db import transaction

from assessments import services
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AssessmentTemplate,
    Phase,
    PlanGoal,
)
from assessments.services.rounds import MANAGER_TEMPLATE, SELF_TEMPLATE
from people.actors import actor_for_user
from people.models import Employee, Organization, User
from people.selectors import roster_as_of
from people.services import employee_access_grant, user_get_or_create
from programs.demo import DEMO_COHORT, LAST_YEAR_COHORT, SMALL_COHORT
from programs.models import Cohort
from programs.selectors import progress_grid

SEED = 2718
# The demo learner's view of herself: a new manager who holds on to work and avoids
# hard feedback, and is more at ease with stakeholders and the team's safety.
DEMO_LEARNER_SELF = {
    "emotional_intelligence": (3, 4, 3),
    "delegation": (2, 2, 3),
    "feedback_delivery": (2, 3, 2),
    "conflict_resolution": (3, 3, 4),
    "stakeholder_management": (4, 4, 4),
    "strategic_thinking": (3, 4, 3),
    "communication": (4, 4, 4),
    "psychological_safety": (4, 5, 4),
}
# Her manager (manager@) sees much the same: holding on to work and avoiding hard
# feedback, and a little less at ease with conflict and her own reactions than she thinks.
DEMO_LEARNER_BY_MANAGER = {
    "emotional_intelligence": (3, 3, 3),
    "delegation": (2, 2, 2),
    "feedback_delivery": (2, 2, 3),
    "conflict_resolution": (3, 3, 3),
    "stakeholder_management": (4, 4, 5),
    "strategic_thinking": (3, 4, 4),
    "communication": (4, 4, 4),
    "psychological_safety": (4, 4, 4),
}
DEMO_LEARNER = "learner@acme.example"
DEMO_MANAGER = "manager@acme.example"
# Cohort 1's competencies grew by about this much on the program's focus; a little elsewhere.
PROGRAM_GROWTH, OTHER_GROWTH = (0.4, 0.9), (0.0, 0.3)


class _Raters:
    """Answers for each learner, from a level per competency drawn once per learner."""

    def __init__(self, rng: random.Random, focus: set[str], competencies: list[str]):
        self.rng, self.focus, self.competencies = rng, focus, competencies
        self.levels: dict[int, dict[str, float]] = {}

    def level(self, employee_id: int, competency: str, *, final: bool, is_self: bool) -> float:
        levels = self.levels.setdefault(
            employee_id, {c: self.rng.gauss(2.9, 0.45) for c in self.competencies}
        )
        value = levels[competency]
        if final:
            low, high = PROGRAM_GROWTH if competency in self.focus else OTHER_GROWTH
            value += (low + high) / 2
        # People rate themselves a little higher than their managers do.
        return value + (0.3 if is_self else 0.0)

    def answers(self, template, employee_id: int, *, final: bool) -> dict[str, int]:
        is_self = template.key == SELF_TEMPLATE
        return {
            item.key: max(
                1,
                min(
                    5,
                    round(
                        self.level(employee_id, item.competency.key, final=final, is_self=is_self)
                        + self.rng.gauss(0, 0.45)
                    ),
                ),
            )
            for item in template.items.all()
        }


def _logins_grant(*, actor, employees: list[Employee]) -> None:
    """Line managers sign in to rate their reports (no role needed)."""
    for employee in employees:
        if employee.user_id is None:
            employee_access_grant(actor=actor, employee=employee, roles=[], notify=False)


def _former_logins_close(*, employees: list[Employee]) -> None:
    """Managers who have left since: the login they rated with back then, closed (no
    password, inactive), as it would be after their last day."""
    for employee in employees:
        if employee.user_id is None:
            user, _ = user_get_or_create(email=employee.email, full_name=employee.full_name)
            Employee.objects.filter(pk=employee.pk).update(user=user)
        else:
            user = employee.user
        user.set_unusable_password()
        user.is_active = False
        user.save(update_fields=["password", "is_active"])


def _past_round(
    *,
    organization: Organization,
    cohort: Cohort,
    phase: str,
    opens_on: datetime.date,
    templates: dict[str, AssessmentTemplate],
    raters: _Raters,
    actor,
) -> int:
    """A round that has closed: every learner and the manager they had when it opened
    answered within the window. A manager who has left since keeps their assessments
    (their login closed when they left)."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    closes_on = opens_on + datetime.timedelta(days=21)
    reporting = {
        pk: entry.manager_id
        for pk, entry in roster_as_of(organization=organization, on=opens_on).items()
    }
    enrollments = list(cohort.enrollments.select_related("employee__user"))
    managers = Employee.objects.in_bulk(
        [reporting.get(e.employee_id) for e in enrollments if reporting.get(e.employee_id)]
    )
    today = organization.today()
    still_here = [m for m in managers.values() if m.is_employed_on(today)]
    _logins_grant(actor=actor, employees=still_here)
    _former_logins_close(employees=[m for m in managers.values() if not m.is_employed_on(today)])
    users = dict(Employee.objects.filter(pk__in=list(managers)).values_list("pk", "user_id"))
    rows: list[tuple[Assessment, dict[str, int]]] = []
    for enrollment in enrollments:
        learner = enrollment.employee
        wanted = [(templates[SELF_TEMPLATE], learner.user_id)]
        manager_user = users.get(reporting.get(learner.pk))
        if manager_user:
            wanted.append((templates[MANAGER_TEMPLATE], manager_user))
        for template, rater_id in wanted:
            day = opens_on + datetime.timedelta(days=raters.rng.randint(1, 18))
            submitted = datetime.datetime.combine(
                day, datetime.time(raters.rng.randint(8, 18), 0), tzinfo=zone
            )
            assessment = Assessment(
                organization=organization,
                template=template,
                subject=learner,
                rater_id=rater_id,
                enrollment=enrollment,
                phase=phase,
                opens_on=opens_on,
                closes_on=closes_on,
                status=AssessmentStatus.SUBMITTED,
                submitted_at=submitted,
                created_at=datetime.datetime.combine(opens_on, datetime.time(7, 0), tzinfo=zone),
            )
            answers = raters.answers(template, learner.pk, final=phase == Phase.FINAL)
            rows.append((assessment, answers))
    Assessment.objects.bulk_create([a for a, _ in rows])
    items = {t.pk: {i.key: i for i in t.items.all()} for t in templates.values()}
    Answer.objects.bulk_create(
        (
            Answer(assessment=a, item=items[a.template_id][key], value=value)
            for a, answers in rows
            for key, value in answers.items()
        ),
        batch_size=1000,
    )
    return len(rows)


def _open_round(
    *,
    organization: Organization,
    cohort: Cohort,
    lnd_actor,
    templates: dict[str, AssessmentTemplate],
    raters: _Raters,
) -> int:
    """The running cohort's baseline, through the services, with submission times moved
    back to days inside the window (the services stamp the minute the demo loads). In:
    both of the demo learner's, so she can draft her plan. Still waiting: the
    self-assessments of the two learners who are behind, manager@'s assessment of her
    other report in the cohort (when there is one), and one other manager's assessments."""
    enrollments = list(cohort.enrollments.select_related("employee__manager"))
    _logins_grant(
        actor=lnd_actor,
        employees=list({e.employee.manager for e in enrollments}.difference({None})),
    )
    created = services.assessment_round_open(
        actor=lnd_actor,
        cohort=cohort,
        phase=Phase.BASELINE,
        opens_on=cohort.start_date,
        closes_on=cohort.start_date + datetime.timedelta(days=21),
        notify=False,
    )["created"]
    behind = _learners_behind(cohort)
    ordered = sorted(enrollments, key=lambda e: e.employee.employee_id)
    waiting_manager = next(
        (
            e.employee.manager_id
            for e in ordered
            if e.employee.manager and e.employee.manager.email != DEMO_MANAGER
        ),
        None,
    )
    # manager@ has one assessment to do: of her other engineering manager in the cohort.
    waiting_subject = next(
        (
            e.employee_id
            for e in ordered
            if e.employee.manager
            and e.employee.manager.email == DEMO_MANAGER
            and e.employee.email != DEMO_LEARNER
        ),
        None,
    )
    assessments = Assessment.objects.filter(enrollment__cohort=cohort).select_related(
        "template", "rater", "subject__manager"
    )
    actors: dict[int, object] = {}
    submitted: list[int] = []
    for assessment in sorted(assessments, key=lambda a: a.pk):
        is_self = assessment.template.key == SELF_TEMPLATE
        if is_self and assessment.enrollment_id in behind:
            continue
        about_demo_learner = assessment.subject.email == DEMO_LEARNER
        if not is_self and (
            assessment.subject_id == waiting_subject
            or assessment.subject.manager_id == waiting_manager
        ):
            continue
        template = templates[assessment.template.key]
        if about_demo_learner:
            answers, seen = {}, Counter()
            levels = DEMO_LEARNER_SELF if is_self else DEMO_LEARNER_BY_MANAGER
            for item in template.items.all():
                key = item.competency.key
                answers[item.key] = levels[key][seen[key] % 3]
                seen[key] += 1
        else:
            answers = raters.answers(template, assessment.subject_id, final=False)
        if assessment.rater_id not in actors:
            actors[assessment.rater_id] = actor_for_user(
                user=assessment.rater, organization=organization
            )
        services.assessment_answer(
            actor=actors[assessment.rater_id], assessment=assessment, answers=answers, submit=True
        )
        submitted.append(assessment.pk)
    _submissions_backdate(organization=organization, cohort=cohort, pks=submitted, rng=raters.rng)
    return created


def _submissions_backdate(
    *, organization: Organization, cohort: Cohort, pks: list[int], rng: random.Random
) -> None:
    """Submitted on working days from the round's opening to yesterday (self-assessments
    first), in office hours; created when the round opened."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    opens_on, today = cohort.start_date, organization.today()
    days = [
        opens_on + datetime.timedelta(days=n)
        for n in range((today - opens_on).days)
        if (opens_on + datetime.timedelta(days=n)).weekday() < 5
    ] or [opens_on]
    created = datetime.datetime.combine(opens_on, datetime.time(7, 0), tzinfo=zone)
    rows = list(Assessment.objects.filter(pk__in=pks).select_related("template"))
    for assessment in sorted(rows, key=lambda a: a.pk):
        half = days[: max(len(days) // 2, 1)] if assessment.template.key == SELF_TEMPLATE else days
        at = datetime.datetime.combine(
            rng.choice(half),
            datetime.time(rng.randint(8, 17), rng.choice((5, 20, 35, 50))),
            tzinfo=zone,
        )
        assessment.submitted_at, assessment.created_at = max(at, created), created
    Assessment.objects.bulk_update(rows, ["submitted_at", "created_at"])


# Goals as learners wrote them, by competency (two wordings each).
GOALS_IN_THEIR_WORDS = {
    "feedback_delivery": (
        "Give feedback within a day, in private, using SBI, instead of saving it for the "
        "retro or the review cycle.",
        "Tell people what I noticed and what it changed, not what I think of them, and ask "
        "what they saw.",
    ),
    "delegation": (
        "Hand the release train and incident reviews to the team, and agree how much "
        "support comes with each instead of taking them back.",
        "Stop picking up the hardest ticket myself; pair on it and let someone else own it.",
    ),
    "stakeholder_management": (
        "Answer a request for a date with options and trade-offs, never with 'we will try'.",
        "Meet the product owner every week with the team's risks written down before they "
        "become surprises.",
    ),
    "psychological_safety": (
        "Ask in every one-on-one what worried them this week, and thank people who bring "
        "bad news early.",
        "Run blameless incident reviews where the first question is what made the mistake "
        "easy to make.",
    ),
    "communication": (
        "Send a short written update every Friday so nobody learns our plans from the hallway.",
        "Say the decision and the reason first in meetings, then the detail.",
    ),
    "conflict_resolution": (
        "When two engineers disagree on a design, get them in one room within a day and "
        "write down what was decided and why.",
        "Name a disagreement when I see it instead of waiting for it to go away.",
    ),
    "emotional_intelligence": (
        "Notice when I get defensive in reviews and ask a question before I answer.",
        "Check how people are before I check the board in one-on-ones.",
    ),
    "strategic_thinking": (
        "Link each quarter's technical work to a product goal and explain the link to the team.",
        "Keep an hour a week to look three months ahead instead of only at the sprint.",
    ),
}


def _plans_write(
    *, organization: Organization, cohort: Cohort, rng: random.Random, agreed: bool
) -> int:
    """Plans for a cohort whose baseline is in: drafted from each learner's top gaps
    through the service, goals then rewritten in the learner's words and both agreed,
    with dates of the days they happened (the services stamp today). About half shared
    with the line manager of the time, who read it. Returns how many plans."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    coach = cohort.coaches.order_by("pk").first()
    reporting = {
        pk: entry.manager_id
        for pk, entry in roster_as_of(organization=organization, on=cohort.start_date).items()
    }
    count = 0
    for enrollment in cohort.enrollments.select_related("employee__user").order_by(
        "employee__employee_id"
    ):
        baseline = list(
            Assessment.objects.filter(enrollment=enrollment, phase=Phase.BASELINE).values_list(
                "submitted_at", flat=True
            )
        )
        if not baseline or None in baseline:
            continue
        learner = actor_for_user(user=enrollment.employee.user, organization=organization)
        plan = services.plan_draft(actor=learner, enrollment=enrollment)
        drafted = max(baseline) + datetime.timedelta(days=rng.randint(1, 3), hours=1)
        drafted = datetime.datetime.combine(
            drafted.astimezone(zone).date(), datetime.time(rng.randint(9, 16), 30), tzinfo=zone
        )
        written = drafted + datetime.timedelta(minutes=rng.randint(20, 90))
        goals = list(plan.goals.select_related("competency"))
        span = (cohort.end_date - drafted.date()).days
        for goal in goals:
            goal.goal = rng.choice(GOALS_IN_THEIR_WORDS[goal.competency.key])
            goal.edited_at = written
            goal.due_date = drafted.date() + datetime.timedelta(
                days=span * (goal.position + 1) // (len(goals) + 1)
            )
        PlanGoal.objects.bulk_update(goals, ["goal", "edited_at", "due_date"])
        plan.created_at, plan.updated_at = drafted, written
        fields = ["created_at", "updated_at"]
        if agreed:
            fields += ["learner_agreed_at", "coach_agreed_at", "coach_agreed_by"]
            plan.learner_agreed_at = written + datetime.timedelta(minutes=5)
            plan.coach_agreed_at = written + datetime.timedelta(days=rng.randint(1, 4))
            plan.coach_agreed_by = coach
            manager = reporting.get(enrollment.employee_id)
            if manager and rng.random() < 0.5:
                plan.shared_with_id = manager
                plan.shared_seen_at = plan.coach_agreed_at + datetime.timedelta(
                    days=rng.randint(1, 3)
                )
                fields += ["shared_with", "shared_seen_at"]
        plan.save(update_fields=fields)
        count += 1
    return count


def _running_plans_write(*, organization: Organization, cohort: Cohort) -> None:
    """The running cohort, in week 3: of the learners whose baseline is in (the demo
    learner aside, who has hers to draft), one has written and agreed her plan and waits
    for the coach, two have a draft whose goals are still to write, the rest not yet."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    ready = [
        e
        for e in cohort.enrollments.select_related("employee__user").order_by(
            "employee__employee_id"
        )
        if e.employee.email != DEMO_LEARNER and services.plan_draft_awaits(enrollment=e) is None
    ]
    yesterday = datetime.datetime.combine(
        organization.today() - datetime.timedelta(days=1), datetime.time(16, 10), tzinfo=zone
    )
    for position, enrollment in enumerate(ready[:3]):
        learner = actor_for_user(user=enrollment.employee.user, organization=organization)
        plan = services.plan_draft(actor=learner, enrollment=enrollment)
        plan.created_at = plan.updated_at = yesterday - datetime.timedelta(days=position)
        if position == 0:
            goals = list(plan.goals.select_related("competency"))
            for goal in goals:
                goal.goal = GOALS_IN_THEIR_WORDS[goal.competency.key][0]
                goal.edited_at = plan.created_at + datetime.timedelta(minutes=40)
            PlanGoal.objects.bulk_update(goals, ["goal", "edited_at"])
            plan.updated_at = plan.created_at + datetime.timedelta(minutes=40)
            plan.learner_agreed_at = plan.updated_at + datetime.timedelta(minutes=3)
        plan.save(update_fields=["created_at", "updated_at", "learner_agreed_at"])


def _learners_behind(cohort: Cohort) -> set[int]:
    _, rows = progress_grid(cohort=cohort)
    return {row.enrollment.pk for row in rows if row.is_behind}


def demo_assessments_load(*, organization: Organization) -> dict:
    """Writes the leadership cohorts' assessments. Idempotent: nothing is added once any
    of them has one. Returns `created`, the number of assessments."""
    services.assessment_library_load(organization=organization)
    cohorts = {
        c.name: c
        for c in Cohort.objects.filter(
            organization=organization, name__in=[LAST_YEAR_COHORT, SMALL_COHORT, DEMO_COHORT]
        ).select_related("program", "organization")
    }
    if (
        len(cohorts) < 3
        or Assessment.objects.filter(enrollment__cohort__in=cohorts.values()).exists()
    ):
        return {"created": 0}
    lnd = User.objects.get(email="lnd@acme.example")
    actor = actor_for_user(user=lnd, organization=organization)
    templates = {
        t.key: t
        for t in AssessmentTemplate.objects.filter(
            organization=organization, key__in=[SELF_TEMPLATE, MANAGER_TEMPLATE]
        ).prefetch_related("items__competency")
    }
    competencies = sorted(
        {i.competency.key for t in templates.values() for i in t.items.all() if i.competency}
    )
    focus = set(cohorts[DEMO_COHORT].program.competencies.values_list("key", flat=True))
    raters = _Raters(random.Random(SEED), focus, competencies)
    last_year, small = cohorts[LAST_YEAR_COHORT], cohorts[SMALL_COHORT]
    created = 0
    with transaction.atomic():
        for cohort, phase, opens_on in (
            (last_year, Phase.BASELINE, last_year.start_date),
            (last_year, Phase.FINAL, last_year.end_date - datetime.timedelta(days=7)),
            (small, Phase.BASELINE, small.start_date),
        ):
            created += _past_round(
                organization=organization,
                cohort=cohort,
                phase=phase,
                opens_on=opens_on,
                templates=templates,
                raters=raters,
                actor=actor,
            )
        created += _open_round(
            organization=organization,
            cohort=cohorts[DEMO_COHORT],
            lnd_actor=actor,
            templates=templates,
            raters=raters,
        )
        for cohort in (last_year, small):
            _plans_write(organization=organization, cohort=cohort, rng=raters.rng, agreed=True)
        _running_plans_write(organization=organization, cohort=cohorts[DEMO_COHORT])
    return {"created": created}
