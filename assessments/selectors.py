"""Reads for assessments, scoped to the organisation and the relationship rules."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import yaml
from django.conf import settings
from django.db.models import Count, F, Max, Min, Q, QuerySet

from assessments import scoring
from assessments.models import (
    Answer,
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    AssessmentTemplate,
    DevelopmentPlan,
    KnowledgeCheckAttempt,
    Phase,
    PlanGoal,
    ReadinessNomination,
    TargetLevel,
)
from assessments.permissions import (
    assessment_scope,
    plan_draft_scope,
    plan_edit_scope,
    plan_scope,
    plan_shows_scores,
    rater_scope,
    results_scope,
    shared_plan_scope,
)
from people.audit import audit_log
from people.permissions import Actor, Scope
from programs.models import (
    Audience,
    Cohort,
    Competency,
    DelegationDecision,
    Enrollment,
    EnrollmentStatus,
    ModuleProgress,
    Program,
    SbiEntry,
)
from programs.permissions import coached_enrollments, is_own_enrollment, own_enrollments
from programs.ratings import score_mean, to_decimal


def assessments_to_do(*, actor: Actor) -> QuerySet[Assessment]:
    """Assessments the actor is asked to fill in here, newest window first."""
    return (
        Assessment.objects.filter(rater_scope(actor).q())
        .select_related("template", "subject")
        .annotate(
            answered=Count("answers", distinct=True),
            item_count=Count("template__items", distinct=True),
        )
        .order_by("status", "-closes_on", "id")
    )


def _active_plans(scope: Scope) -> QuerySet[DevelopmentPlan]:
    return (
        DevelopmentPlan.objects.filter(scope.q("enrollment__"))
        .filter(enrollment__status=EnrollmentStatus.ACTIVE)
        .annotate(
            goal_count=Count("goals", distinct=True),
            unwritten=Count("goals", filter=Q(goals__edited_at__isnull=True), distinct=True),
        )
        .filter(goal_count__gt=0)
        .select_related("enrollment__employee", "enrollment__cohort__program")
        .order_by("enrollment__employee__full_name", "id")
    )


def plans_awaiting_learner(*, actor: Actor) -> QuerySet[DevelopmentPlan]:
    """The actor's own plans (active enrolments) with goals they have not agreed yet,
    each with `unwritten`: how many goals are still in the draft's words. One query."""
    return _active_plans(own_enrollments(actor)).filter(learner_agreed_at__isnull=True)


def plans_awaiting_coach(*, actor: Actor) -> QuerySet[DevelopmentPlan]:
    """Plans of the coach's own learners that the learner agreed and the coach has not.
    (The coach is asked once the learner has agreed: any edit before that would ask for
    both agreements again.) One query."""
    return _active_plans(coached_enrollments(actor)).filter(
        learner_agreed_at__isnull=False, coach_agreed_at__isnull=True
    )


def plans_shared_unread(*, actor: Actor) -> QuerySet[DevelopmentPlan]:
    """Plans shared with the actor (as the learner's current line manager) that they have
    not opened since they were shared or a goal last changed. One query."""
    return _active_plans(shared_plan_scope(actor)).filter(
        Q(shared_seen_at__isnull=True) | Q(shared_seen_at__lt=F("updated_at"))
    )


def plans_to_draft(*, actor: Actor) -> QuerySet[Enrollment]:
    """The actor's own active enrolments whose plan has no goals yet and whose baseline
    self-assessment is submitted: the candidates for drafting, which the caller checks
    with services.plan_draft_awaits (the one rule). One query."""
    return (
        Enrollment.objects.filter(own_enrollments(actor).q(), status=EnrollmentStatus.ACTIVE)
        .filter(
            assessments__phase=Phase.BASELINE,
            assessments__template__kind=AssessmentKind.SELF,
            assessments__status=AssessmentStatus.SUBMITTED,
        )
        .exclude(development_plan__goals__isnull=False)
        .select_related("cohort__program", "cohort__organization")
        .distinct()
        .order_by("-cohort__start_date", "id")
    )


def shared_plan_enrollment_ids(*, actor: Actor, enrollment_ids: list[int]) -> set[int]:
    """Which of these enrolments have a plan shared with the actor that they may open
    (shared_plan_scope: shared by name, while they are still the line manager). One query."""
    return set(
        Enrollment.objects.filter(shared_plan_scope(actor).q(), pk__in=enrollment_ids).values_list(
            "pk", flat=True
        )
    )


def results_enrollment_ids(*, actor: Actor, enrollment_ids: list[int]) -> set[int]:
    """Which of these enrolments' results (scores, gaps, the full plan) the actor may open
    (results_scope: the learner, their coach, L&D). One query."""
    return set(
        Enrollment.objects.filter(results_scope(actor).q(), pk__in=enrollment_ids).values_list(
            "pk", flat=True
        )
    )


def assessment_list(*, actor: Actor, as_rater: bool = False) -> QuerySet[Assessment]:
    """Assessments the actor may list: those they rate; every one for L&D managers unless
    `as_rater`. Answers are only ever shown to the rater (see `answers_visible`)."""
    scope = rater_scope(actor) if as_rater else assessment_scope(actor)
    return (
        Assessment.objects.filter(scope.q())
        .select_related("template", "subject")
        .prefetch_related("template__items__competency", "answers__item")
        .order_by("-closes_on", "id")
    )


def template_list(*, organization) -> QuerySet[AssessmentTemplate]:
    return AssessmentTemplate.objects.filter(organization=organization).prefetch_related(
        "items__competency"
    )


def answers_visible(*, actor: Actor, assessment: Assessment) -> bool:
    return rater_scope(actor).allows(assessment)


def assessment_for_rater(*, actor: Actor, pk: int) -> Assessment:
    """One assessment the actor rates; anyone else's is Assessment.DoesNotExist (a 404)."""
    return Assessment.objects.select_related("template", "subject", "organization").get(
        rater_scope(actor).q(), pk=pk
    )


def _enrollment_in(scope: Scope, pk: int) -> Enrollment:
    return Enrollment.objects.select_related(
        "cohort__program", "cohort__organization", "employee__manager", "coach"
    ).get(scope.q(), pk=pk)


def enrollment_for_results(*, actor: Actor, pk: int) -> Enrollment:
    """An enrolment whose scores and gaps the actor may read, else Enrollment.DoesNotExist."""
    return _enrollment_in(results_scope(actor), pk)


def enrollment_for_plan(*, actor: Actor, pk: int) -> Enrollment:
    """An enrolment whose plan the actor may open (with scores, or as shared with them)."""
    return _enrollment_in(plan_scope(actor), pk)


def enrollment_for_plan_edit(*, actor: Actor, pk: int) -> Enrollment:
    """An enrolment whose plan the actor may edit and agree (the learner, their coach)."""
    return _enrollment_in(plan_edit_scope(actor), pk)


def enrollment_for_plan_draft(*, actor: Actor, pk: int) -> Enrollment:
    return _enrollment_in(plan_draft_scope(actor), pk)


def plan_goal_for_edit(*, actor: Actor, pk: int):
    """A goal of a plan the actor may edit, else PlanGoal.DoesNotExist."""
    return PlanGoal.objects.select_related(
        "plan__enrollment__cohort__organization", "plan__enrollment__employee", "competency"
    ).get(plan_edit_scope(actor).q("plan__enrollment__"), pk=pk)


def goals_for_edit(*, actor: Actor) -> QuerySet:
    return PlanGoal.objects.filter(plan_edit_scope(actor).q("plan__enrollment__")).select_related(
        "plan__enrollment__cohort"
    )


def _audit_read(actor: Actor, enrollment: Enrollment, action: str) -> None:
    # The learner reading their own results is not news; anyone else reading them is.
    if is_own_enrollment(actor, enrollment):
        return
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action=action,
        target=str(enrollment.employee),
        detail={"enrollment_id": enrollment.pk},
    )


def results_read(*, actor: Actor, enrollment: Enrollment) -> "Results":
    """Scores and gaps for a reader allowed by `enrollment_for_results`; every reader
    other than the learner is audited. Pages and the API both call this."""
    _audit_read(actor, enrollment, "assessment.results_viewed")
    return learner_results(enrollment=enrollment)


def plan_read(*, actor: Actor, enrollment: Enrollment) -> tuple["DevelopmentPlan | None", bool]:
    """The plan and whether this reader sees it with scores and gaps (else as shared:
    goals only). A read with scores by anyone but the learner is audited."""
    plan = plan_for(enrollment=enrollment)
    with_scores = plan_shows_scores(actor, enrollment)
    if plan is not None:
        _audit_read(actor, enrollment, "plan.viewed" if with_scores else "plan.shared_viewed")
    return plan, with_scores


def assessment_items_with_answers(*, assessment: Assessment) -> list:
    answers = {a.item_id: a for a in assessment.answers.all()}
    items = list(assessment.template.items.select_related("competency"))
    for item in items:
        answer = answers.get(item.pk)
        item.current = answer.value if answer else None
        item.anchor_list = [(str(n), item.anchors.get(str(n), "")) for n in range(1, 6)]
    return items


@dataclass
class CompetencyItems:
    """One competency's items on the assessment page, with how many are answered."""

    key: str
    name: str
    items: list

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.current is not None)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> bool:
        return self.answered == self.total


@dataclass
class AssessmentProgress:
    groups: list[CompetencyItems]

    @property
    def answered(self) -> int:
        return sum(group.answered for group in self.groups)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)

    @property
    def remaining(self) -> int:
        return self.total - self.answered

    @property
    def unanswered(self) -> list:
        return [item for group in self.groups for item in group.items if item.current is None]


def assessment_progress(*, assessment: Assessment) -> AssessmentProgress:
    """The rater's items grouped by competency, in the order each competency first
    appears in the questionnaire, each item with its current answer (`current`, None
    when unanswered) and its number on the page (`number`); and the counts answered
    and remaining. Two queries, whatever the questionnaire's size."""
    groups: dict[str, CompetencyItems] = {}
    for item in assessment_items_with_answers(assessment=assessment):
        competency = item.competency
        key = competency.key if competency else ""
        if key not in groups:
            groups[key] = CompetencyItems(
                key=key or "general", name=competency.name if competency else "General", items=[]
            )
        groups[key].items.append(item)
    ordered = list(groups.values())
    number = 0
    for group in ordered:
        for item in group.items:
            number += 1
            item.number = number
    return AssessmentProgress(groups=ordered)


def round_status(*, cohort: Cohort) -> list[Assessment]:
    return list(
        Assessment.objects.filter(enrollment__cohort=cohort)
        .select_related("template", "subject", "rater")
        .order_by("subject__full_name", "template__kind", "phase", "id")
    )


# When an open round counts as behind (see `rounds_behind`).
ROUND_BEHIND_SHARE = Decimal("0.6")  # under 60% submitted once half the window has gone
ROUND_CLOSING_DAYS = 7  # or closing within a week with anyone still to submit


@dataclass(frozen=True)
class RoundProgress:
    """One cohort's self and manager assessments of one phase: its window (earliest open,
    latest close, so a reopened assessment keeps it open) and how many are submitted."""

    cohort_id: int
    cohort_name: str
    phase: str
    opens_on: datetime.date
    closes_on: datetime.date
    asked: int
    submitted: int

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label


def _round_is_behind(progress: RoundProgress, today: datetime.date) -> bool:
    if not progress.opens_on <= today <= progress.closes_on:
        return False
    if progress.submitted >= progress.asked:
        return False
    if (progress.closes_on - today).days <= ROUND_CLOSING_DAYS:
        return True
    half_gone = (
        2 * (today - progress.opens_on).days >= (progress.closes_on - progress.opens_on).days
    )
    return half_gone and progress.submitted < ROUND_BEHIND_SHARE * progress.asked


def rounds_behind(*, organization) -> list[RoundProgress]:
    """Open assessment rounds with low completion, closing soonest first.

    A round is a cohort's self and manager assessments of one phase, counting active
    learners only. It is behind while open when either at least half its window has gone
    and under ROUND_BEHIND_SHARE (60%) of its assessments are submitted, or it closes
    within ROUND_CLOSING_DAYS (7) days, today included, with any still to submit. One
    query however many rounds there are.
    """
    today = organization.today()
    rows = (
        Assessment.objects.filter(
            organization=organization,
            enrollment__status=EnrollmentStatus.ACTIVE,
            template__kind__in=[AssessmentKind.SELF, AssessmentKind.MANAGER],
        )
        .values("enrollment__cohort_id", "enrollment__cohort__name", "phase")
        .annotate(
            opens=Min("opens_on"),
            closes=Max("closes_on"),
            asked=Count("id"),
            submitted=Count("id", filter=Q(status=AssessmentStatus.SUBMITTED)),
        )
        .filter(closes__gte=today)
        .order_by("closes", "enrollment__cohort__name", "phase")
    )
    rounds = [
        RoundProgress(
            cohort_id=row["enrollment__cohort_id"],
            cohort_name=row["enrollment__cohort__name"],
            phase=row["phase"],
            opens_on=row["opens"],
            closes_on=row["closes"],
            asked=row["asked"],
            submitted=row["submitted"],
        )
        for row in rows
    ]
    return [r for r in rounds if _round_is_behind(r, today)]


@dataclass
class Results:
    scores: list[scoring.CompetencyScore]
    gaps: list[scoring.Gap]
    names: dict[str, str]
    final_scores: list[scoring.CompetencyScore] | None

    @property
    def rows(self) -> list[dict]:
        """One row per competency: name, baseline, end-of-program score and the change."""
        final = {s.competency: s for s in self.final_scores or []}
        out = []
        for score in self.scores:
            end = final.get(score.competency)
            change = None
            if end is not None and end.combined is not None and score.combined is not None:
                change = round(end.combined - score.combined, 1)
            out.append(
                {
                    "name": self.names.get(score.competency, score.competency),
                    "score": score,
                    "final": end.combined if end else None,
                    "change": change,
                }
            )
        return out

    @property
    def change(self) -> Decimal | None:
        """The learner's overall change from baseline to end of program: the mean of the
        per-competency changes in `rows` (competencies scored at both), rounded like
        every score (programs.ratings); None until both phases have a score."""
        return score_mean(
            to_decimal(row["change"]) for row in self.rows if row["change"] is not None
        )


@dataclass
class LearnerResults:
    enrollment: Enrollment
    results: Results


def _program_targets(program_ids: set[int]) -> dict[int, dict[str, float]]:
    """Each program's target profile (copied from the template with the program); for a
    program without one, level 4 for each competency it targets. Two queries."""
    targets: dict[int, dict[str, float]] = {pk: {} for pk in program_ids}
    for program_id, key, target in TargetLevel.objects.filter(
        program_id__in=program_ids
    ).values_list("program_id", "competency__key", "target"):
        targets[program_id][key] = float(target)
    defaults: dict[int, dict[str, float]] = {pk: {} for pk in program_ids}
    for program_id, key in Program.competencies.through.objects.filter(
        program_id__in=program_ids
    ).values_list("program_id", "competency__key"):
        defaults[program_id][key] = 4.0
    return {pk: targets[pk] or defaults[pk] for pk in program_ids}


def _latest_answers(
    enrollment_ids: list[int],
) -> tuple[dict[tuple[int, str, str], dict[str, int]], dict[str, str]]:
    """Answers of each enrolment's newest submitted self and manager assessment per phase,
    keyed by (enrolment id, phase, kind), and each answered item's competency. After a
    change of line manager the new manager's view replaces the old one rather than
    mixing with it. Two queries."""
    latest: dict[tuple[int, str, str], int] = {}
    for enrollment_id, phase, kind, pk in (
        Assessment.objects.filter(
            enrollment_id__in=enrollment_ids,
            status=AssessmentStatus.SUBMITTED,
            template__kind__in=[AssessmentKind.SELF, AssessmentKind.MANAGER],
        )
        .order_by("submitted_at", "id")
        .values_list("enrollment_id", "phase", "template__kind", "pk")
    ):
        latest[(enrollment_id, phase, kind)] = pk
    slot = {pk: key for key, pk in latest.items()}
    answers: dict[tuple[int, str, str], dict[str, int]] = {key: {} for key in latest}
    item_competency: dict[str, str] = {}
    for assessment_id, item, competency, value in Answer.objects.filter(
        assessment_id__in=list(slot)
    ).values_list("assessment_id", "item__key", "item__competency__key", "value"):
        answers[slot[assessment_id]][item] = value
        item_competency[item] = competency
    return answers, item_competency


def _results_for(enrollments: list[Enrollment]) -> dict[int, Results]:
    """Results per enrolment id for enrolments of one organisation, in five queries however
    many there are (plus one for each enrolment whose cohort the caller did not load with
    it). Raises ValueError, naming the item, for a stored answer outside 1-5, which the
    services never save."""
    if not enrollments:
        return {}
    cohorts = {e.cohort_id: e.cohort for e in enrollments}
    organization_id = next(iter(cohorts.values())).organization_id
    competencies = list(
        Competency.objects.filter(organization_id=organization_id).order_by("position", "name")
    )
    keys = [c.key for c in competencies]
    names = {c.key: c.name for c in competencies}
    targets = _program_targets({cohort.program_id for cohort in cohorts.values()})
    answers, item_competency = _latest_answers([e.pk for e in enrollments])
    margin = settings.LODESTAR_BLIND_SPOT_MARGIN

    def scores(enrollment: Enrollment, phase: str) -> list[scoring.CompetencyScore]:
        return scoring.competency_scores(
            self_answers=answers.get((enrollment.pk, phase, AssessmentKind.SELF), {}),
            manager_answers=answers.get((enrollment.pk, phase, AssessmentKind.MANAGER), {}),
            item_competency=item_competency,
            competencies=keys,
            margin=margin,
        )

    results = {}
    for enrollment in enrollments:
        baseline = scores(enrollment, Phase.BASELINE)
        final = scores(enrollment, Phase.FINAL)
        results[enrollment.pk] = Results(
            scores=baseline,
            gaps=scoring.rank_gaps(
                targets=targets[cohorts[enrollment.cohort_id].program_id],
                scores={s.competency: s.combined for s in baseline},
                order=keys,
            ),
            names=names,
            final_scores=final if any(s.combined is not None for s in final) else None,
        )
    return results


def cohort_results(*, cohort: Cohort) -> list[LearnerResults]:
    """Each active learner of the cohort with their Results (baseline scores with blind
    spots, gaps against the program's targets, end-of-program scores), by name. Six
    queries for any number of learners. The cohort's organisation scopes every read; the
    caller checks who may see results (see `enrollment_for_results`)."""
    enrollments = list(
        cohort.enrollments.filter(status=EnrollmentStatus.ACTIVE).select_related("employee")
    )
    results = _results_for(enrollments)
    return [LearnerResults(enrollment=e, results=results[e.pk]) for e in enrollments]


def cohorts_with_assessments(*, cohorts: list[Cohort]) -> set[int]:
    """Which of these cohorts have any self or manager assessment sent out (a bootcamp
    may have none), whatever its status. One query."""
    return set(
        Assessment.objects.filter(
            enrollment__cohort__in=[c.pk for c in cohorts],
            template__kind__in=[AssessmentKind.SELF, AssessmentKind.MANAGER],
        )
        .values_list("enrollment__cohort_id", flat=True)
        .distinct()
    )


def score_changes_by_cohort(*, cohorts: list[Cohort]) -> dict[int, list[Decimal]]:
    """For each cohort (of one organisation), the overall change (`Results.change`) of
    each active learner who has one, with no names: figures for aggregates only. Six
    queries however many cohorts and learners."""
    changes: dict[int, list[Decimal]] = {cohort.pk: [] for cohort in cohorts}
    enrollments = list(
        Enrollment.objects.filter(
            cohort__in=[c.pk for c in cohorts], status=EnrollmentStatus.ACTIVE
        ).select_related("cohort")
    )
    results = _results_for(enrollments)
    for enrollment in enrollments:
        change = results[enrollment.pk].change
        if change is not None:
            changes[enrollment.cohort_id].append(change)
    return changes


def learner_results(*, enrollment: Enrollment) -> Results:
    """Baseline scores with blind spots, gaps against the program's targets, and
    end-of-program scores when there are any: the cohort computation on one enrolment."""
    return _results_for([enrollment])[enrollment.pk]


def learner_scores(*, enrollment: Enrollment) -> list[scoring.CompetencyScore]:
    """Self and manager baseline scores per competency, with blind spots."""
    return learner_results(enrollment=enrollment).scores


def learner_gaps(*, enrollment: Enrollment) -> list[scoring.Gap]:
    """Target minus the combined baseline score, largest gap first."""
    return learner_results(enrollment=enrollment).gaps


def plan_for(*, enrollment: Enrollment) -> DevelopmentPlan | None:
    return (
        DevelopmentPlan.objects.filter(enrollment=enrollment)
        .prefetch_related("goals__competency", "goals__modules")
        .select_related("coach_agreed_by", "shared_with")
        .first()
    )


def plan_progress(*, plan: DevelopmentPlan) -> dict[int, dict]:
    """Per goal: its modules done, and practice log entries since the plan was made."""

    enrollment = plan.enrollment
    done = set(
        ModuleProgress.objects.filter(enrollment=enrollment, status="completed").values_list(
            "module_id", flat=True
        )
    )
    sbi = SbiEntry.objects.filter(enrollment=enrollment, created_at__gte=plan.created_at).count()
    delegations = DelegationDecision.objects.filter(
        enrollment=enrollment, created_at__gte=plan.created_at
    ).count()
    latest: dict[int, object] = {}
    for checkin in plan.checkins.all().order_by("-created_at", "-id"):
        latest.setdefault(checkin.goal_id, checkin)
    out = {}
    for goal in plan.goals.all():
        modules = list(goal.modules.all())
        practice = {"feedback_delivery": sbi, "delegation": delegations}.get(goal.competency.key)
        out[goal.pk] = {
            "modules_done": sum(1 for m in modules if m.pk in done),
            "modules_total": len(modules),
            "practice_entries": practice,
            "checkin": latest.get(goal.pk),
        }
    return out


def check_attempts(*, template, enrollment) -> list:

    return list(KnowledgeCheckAttempt.objects.filter(template=template, enrollment=enrollment))


def check_as_yaml(template) -> str:

    data = {
        "title": template.title,
        "pass_mark": template.pass_mark,
        "questions": [
            {
                "id": i.key,
                "text": i.text,
                "options": i.options,
                "correct": i.correct,
                "explanation": i.explanation,
            }
            for i in template.items.all()
        ],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class ReadinessRow:
    nomination: object
    readiness: scoring.Readiness | None
    names: dict[str, str]
    recommendation: object | None  # a bootcamp Program


def readiness_list(*, organization, nominated_by=None) -> list[ReadinessRow]:
    """Nominated candidates (all, or those `nominated_by` one L&D manager) with their
    readiness per competency and overall, and a bootcamp recommendation where gaps are
    large. Five queries for any number."""

    mine = {"nominated_by": nominated_by} if nominated_by is not None else {}
    nominations = list(
        ReadinessNomination.objects.filter(organization=organization, **mine)
        .select_related("candidate__manager", "assessment__rater")
        .order_by("-created_at", "id")
    )
    competencies = list(
        Competency.objects.filter(organization=organization).order_by("position", "name")
    )
    item_competency = dict(
        AssessmentTemplate.objects.filter(organization=organization, kind="readiness").values_list(
            "items__key", "items__competency__key"
        )
    )
    answers: dict[int, dict[str, int]] = {}
    for assessment_id, key, value in Answer.objects.filter(
        assessment__nomination__organization=organization,
        assessment__status=AssessmentStatus.SUBMITTED,
    ).values_list("assessment_id", "item__key", "value"):
        answers.setdefault(assessment_id, {})[key] = value
    bootcamp = Program.objects.filter(
        organization=organization, audience=Audience.PRE_PROMOTION, template__isnull=True
    ).first()
    names = {c.key: c.name for c in competencies}
    rows = []
    for nomination in nominations:
        given = answers.get(nomination.assessment_id)
        result = (
            scoring.readiness(
                answers=given,
                item_competency=item_competency,
                competencies=[c.key for c in competencies],
            )
            if given
            else None
        )
        recommend = (
            bootcamp
            if result is not None and result.large_gaps and result.band != "ready"
            else None
        )
        rows.append(
            ReadinessRow(
                nomination=nomination, readiness=result, names=names, recommendation=recommend
            )
        )
    return rows


def readiness_evidence(*, organization, pk: int) -> tuple:
    """One candidate's readiness answers with the anchor each answer chose: the evidence."""

    nomination = ReadinessNomination.objects.select_related("candidate", "assessment__rater").get(
        organization=organization, pk=pk
    )
    submitted = nomination.assessment.status == AssessmentStatus.SUBMITTED
    answers = {a.item_id: a for a in nomination.assessment.answers.all()} if submitted else {}
    items = list(nomination.assessment.template.items.select_related("competency"))
    evidence = [
        (
            item,
            answers[item.pk].value if item.pk in answers else None,
            item.anchors.get(str(answers[item.pk].value), "") if item.pk in answers else "",
        )
        for item in items
    ]
    return nomination, evidence


def assessment_get(*, organization, pk: int) -> Assessment:
    return Assessment.objects.select_related("enrollment").get(organization=organization, pk=pk)


def target_levels(*, program) -> dict[int, object]:
    """Competency id -> target for one program."""
    return dict(TargetLevel.objects.filter(program=program).values_list("competency_id", "target"))


def default_round_close(*, cohort):
    """A round's default close date: a sixth of the way into the cohort, and never sooner
    than two weeks from today."""

    today = cohort.organization.today()
    return max(
        cohort.start_date + (cohort.end_date - cohort.start_date) / 6,
        today + datetime.timedelta(days=14),
    )
