"""Demo assessments: every leadership cohort's self and line-manager assessments.

- Cohort 1 (finished) has its baseline and end-of-program rounds, all submitted, so its
  results and growth exist; its managers then rated them (from the roster's history).
- Cohort 2 (week 9) has its baseline round, submitted.
- Cohort 3 (week 3, the demo learner's) has its baseline round open: most learners and
  most managers have answered. The demo learner's own self-assessment is in, while her
  manager's assessment of her (manager@) waits, so manager@ has something to do and the
  learner's plan is one assessment away.

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
)
from assessments.services.rounds import MANAGER_TEMPLATE, SELF_TEMPLATE
from people.actors import actor_for_user
from people.models import Employee, Organization, User
from people.selectors import roster_as_of
from people.services import employee_access_grant
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
    answered within the window. Managers who have left since are not asked."""
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
    users = dict(
        Employee.objects.filter(pk__in=[m.pk for m in still_here]).values_list("pk", "user_id")
    )
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
    """The running cohort's baseline, through the services. Still waiting: the
    self-assessments of the two learners who are behind, manager@'s assessment of the demo
    learner, and one other manager's assessments."""
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
    waiting_manager = next(
        (
            e.employee.manager_id
            for e in sorted(enrollments, key=lambda e: e.employee.employee_id)
            if e.employee.manager and e.employee.manager.email != "manager@acme.example"
        ),
        None,
    )
    assessments = Assessment.objects.filter(enrollment__cohort=cohort).select_related(
        "template", "rater", "subject__manager"
    )
    actors: dict[int, object] = {}
    for assessment in sorted(assessments, key=lambda a: a.pk):
        is_self = assessment.template.key == SELF_TEMPLATE
        if is_self and assessment.enrollment_id in behind:
            continue
        about_demo_learner = assessment.subject.email == "learner@acme.example"
        if not is_self and (about_demo_learner or assessment.subject.manager_id == waiting_manager):
            continue
        template = templates[assessment.template.key]
        if about_demo_learner:
            answers, seen = {}, Counter()
            for item in template.items.all():
                key = item.competency.key
                answers[item.key] = DEMO_LEARNER_SELF[key][seen[key] % 3]
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
    return created


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
    return {"created": created}
