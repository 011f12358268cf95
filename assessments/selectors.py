"""Reads for assessments, scoped to the organisation and the relationship rules."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet

from assessments import scoring
from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AssessmentTemplate,
    DevelopmentPlan,
    Phase,
    TargetLevel,
)
from assessments.permissions import can_edit_plan, can_view_plan, can_view_results
from people.permissions import Actor
from programs.models import Cohort, Competency, Enrollment

can_edit = can_edit_plan


def assessments_to_do(*, actor: Actor) -> QuerySet[Assessment]:
    """Assessments the actor is asked to fill in here, newest window first."""
    return (
        Assessment.objects.filter(organization=actor.organization, rater=actor.user)
        .select_related("template", "subject")
        .annotate(answered=Count("answers"), item_count=Count("template__items", distinct=True))
        .order_by("status", "-closes_on", "id")
    )


def assessment_for_rater(*, actor: Actor, pk: int) -> Assessment:
    """One assessment the actor rates; anyone else's is Assessment.DoesNotExist (a 404)."""
    return Assessment.objects.select_related("template", "subject", "organization").get(
        organization=actor.organization, rater=actor.user, pk=pk
    )


def assessment_items_with_answers(*, assessment: Assessment) -> list:
    answers = {a.item_id: a for a in assessment.answers.all()}
    items = list(assessment.template.items.select_related("competency"))
    for item in items:
        answer = answers.get(item.pk)
        item.current = answer.value if answer else None
        item.anchor_list = [(str(n), item.anchors.get(str(n), "")) for n in range(1, 6)]
    return items


def round_status(*, cohort: Cohort) -> list[Assessment]:
    return list(
        Assessment.objects.filter(enrollment__cohort=cohort)
        .select_related("template", "subject", "rater")
        .order_by("subject__full_name", "template__kind", "phase", "id")
    )


def enrollment_for_results(*, actor: Actor, pk: int) -> Enrollment:
    enrollment = Enrollment.objects.select_related(
        "cohort__program", "cohort__organization", "employee"
    ).get(cohort__organization=actor.organization, pk=pk)
    if not can_view_results(actor, enrollment):
        raise Enrollment.DoesNotExist
    return enrollment


def enrollment_for_plan(*, actor: Actor, pk: int) -> Enrollment:
    enrollment = Enrollment.objects.select_related(
        "cohort__program", "cohort__organization", "employee"
    ).get(cohort__organization=actor.organization, pk=pk)
    plan = DevelopmentPlan.objects.filter(enrollment=enrollment).first()
    if not can_view_plan(actor, enrollment, shared=bool(plan and plan.shared_with_manager)):
        raise Enrollment.DoesNotExist
    return enrollment


def _answers(enrollment: Enrollment, phase: str) -> tuple[dict[str, int], dict[str, int]]:
    rows = Answer.objects.filter(
        assessment__enrollment=enrollment, assessment__phase=phase, assessment__status=AssessmentStatus.SUBMITTED,
        assessment__template__kind__in=["self", "manager"],
    ).values_list("assessment__template__kind", "item__key", "value")  # fmt: skip
    own, manager = {}, {}
    for kind, key, value in rows:
        (own if kind == "self" else manager)[key] = value
    return own, manager


def _framework(enrollment: Enrollment) -> tuple[list[Competency], dict[str, str]]:
    competencies = list(
        Competency.objects.filter(organization=enrollment.cohort.organization).order_by(
            "position", "name"
        )
    )
    template = AssessmentTemplate.objects.filter(
        organization=enrollment.cohort.organization, kind="self"
    ).first()
    item_competency = (
        dict(template.items.values_list("key", "competency__key")) if template is not None else {}
    )
    return competencies, item_competency


@dataclass
class Results:
    scores: list[scoring.CompetencyScore]
    gaps: list[scoring.Gap]
    names: dict[str, str]
    final_scores: list[scoring.CompetencyScore] | None


def learner_scores(
    *, enrollment: Enrollment, phase: str = Phase.BASELINE
) -> list[scoring.CompetencyScore]:
    """Self and manager scores per competency from submitted assessments, with blind spots."""
    competencies, item_competency = _framework(enrollment)
    own, manager = _answers(enrollment, phase)
    return scoring.competency_scores(
        self_answers=own, manager_answers=manager, item_competency=item_competency,
        competencies=[c.key for c in competencies], margin=settings.LODESTAR_BLIND_SPOT_MARGIN,
    )  # fmt: skip


def program_targets(*, enrollment: Enrollment) -> dict[str, float]:
    """The program's target profile; without one, level 4 for each targeted competency."""
    program = enrollment.cohort.program
    rows = dict(
        TargetLevel.objects.filter(program=program).values_list("competency__key", "target")
    )
    if not rows and program.template_id:
        rows = dict(
            TargetLevel.objects.filter(program_id=program.template_id).values_list(
                "competency__key", "target"
            )
        )
    if rows:
        return {k: float(v) for k, v in rows.items()}
    return {c.key: 4.0 for c in program.competencies.all()}


def learner_gaps(*, enrollment: Enrollment) -> list[scoring.Gap]:
    """Target minus the combined baseline score, largest gap first."""
    competencies, _ = _framework(enrollment)
    scores = {s.competency: s.combined for s in learner_scores(enrollment=enrollment)}
    return scoring.rank_gaps(targets=program_targets(enrollment=enrollment), scores=scores,
                             order=[c.key for c in competencies])  # fmt: skip


def learner_results(*, enrollment: Enrollment) -> Results:
    competencies, _ = _framework(enrollment)
    final = learner_scores(enrollment=enrollment, phase=Phase.FINAL)
    has_final = any(s.combined is not None for s in final)
    return Results(
        scores=learner_scores(enrollment=enrollment),
        gaps=learner_gaps(enrollment=enrollment),
        names={c.key: c.name for c in competencies},
        final_scores=final if has_final else None,
    )


def plan_for(*, enrollment: Enrollment) -> DevelopmentPlan | None:
    return (
        DevelopmentPlan.objects.filter(enrollment=enrollment)
        .prefetch_related("goals__competency", "goals__modules")
        .select_related("coach_agreed_by")
        .first()
    )


def plan_progress(*, plan: DevelopmentPlan) -> dict[int, dict]:
    """Per goal: its modules done, and practice log entries since the plan was made."""
    from programs.models import DelegationDecision, ModuleProgress, SbiEntry

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
    from assessments.models import KnowledgeCheckAttempt

    return list(KnowledgeCheckAttempt.objects.filter(template=template, enrollment=enrollment))


def check_as_yaml(template) -> str:
    import yaml

    data = {
        "title": template.title, "pass_mark": template.pass_mark,
        "questions": [
            {"id": i.key, "text": i.text, "options": i.options, "correct": i.correct, "explanation": i.explanation}
            for i in template.items.all()
        ],
    }  # fmt: skip
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class ReadinessRow:
    nomination: object
    readiness: scoring.Readiness | None
    names: dict[str, str]
    recommendation: object | None  # a bootcamp Program


def readiness_list(*, organization) -> list[ReadinessRow]:
    """Every nominated candidate with their readiness per competency and overall, and a
    bootcamp recommendation where gaps are large. Five queries for any number."""
    from assessments.models import ReadinessNomination
    from programs.models import Audience, Program

    nominations = list(
        ReadinessNomination.objects.filter(organization=organization)
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
    from assessments.models import ReadinessNomination

    nomination = ReadinessNomination.objects.select_related("candidate", "assessment__rater").get(
        organization=organization, pk=pk
    )
    answers = {a.item_id: a for a in nomination.assessment.answers.all()}
    items = list(nomination.assessment.template.items.select_related("competency"))
    evidence = [
        (item, answers[item.pk].value if item.pk in answers else None,
         item.anchors.get(str(answers[item.pk].value), "") if item.pk in answers else "")
        for item in items
    ]  # fmt: skip
    return nomination, evidence
