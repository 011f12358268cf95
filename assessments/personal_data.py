"""What assessments holds about a person, for export and erasure (see people.personal_data)."""

from assessments.models import (
    Answer,
    Assessment,
    DevelopmentPlan,
    KnowledgeCheckAttempt,
    PlanCheckIn,
    PlanGoal,
    ReadinessNomination,
)
from people.personal_data import Subject, register_personal_data


def export(subject: Subject) -> dict:
    org = subject.organization
    about = (
        Assessment.objects.filter(organization=org, subject=subject.employee)
        if subject.employee
        else Assessment.objects.none()
    )
    by = (
        Assessment.objects.filter(organization=org, rater=subject.user)
        if subject.user
        else Assessment.objects.none()
    )
    plans = (
        DevelopmentPlan.objects.filter(
            enrollment__employee=subject.employee, enrollment__cohort__organization=org
        )
        if subject.employee
        else DevelopmentPlan.objects.none()
    )
    return {
        "assessments_about_them": list(
            Answer.objects.filter(assessment__in=about).values(
                "assessment_id",
                "assessment__template__title",
                "assessment__phase",
                "item__key",
                "value",
                "comment",
            )
        ),
        "assessments_they_answered": list(
            by.values("pk", "template__title", "subject__full_name", "phase", "status")
        ),
        "plan_goals": list(
            PlanGoal.objects.filter(plan__in=plans).values(
                "plan_id", "competency__name", "goal", "practice_commitment", "due_date"
            )
        ),
        "check_ins": list(
            PlanCheckIn.objects.filter(plan__in=plans).values("plan_id", "note", "progress")
        ),
        "knowledge_checks": list(
            KnowledgeCheckAttempt.objects.filter(
                enrollment__employee=subject.employee, enrollment__cohort__organization=org
            ).values("template__title", "percent", "passed")
            if subject.employee
            else []
        ),
        "readiness": list(
            ReadinessNomination.objects.filter(organization=org, candidate=subject.employee).values(
                "pk", "created_at"
            )
            if subject.employee
            else []
        ),
    }


def erase(subject: Subject) -> int:
    """Goal texts, check-in notes and answer comments go; numeric answers stay for the
    aggregates, tied to ids only."""
    if subject.employee is None:
        return 0
    org = subject.organization
    plans = DevelopmentPlan.objects.filter(
        enrollment__employee=subject.employee, enrollment__cohort__organization=org
    )
    changed = PlanGoal.objects.filter(plan__in=plans).update(
        goal="(erased)", practice_commitment=""
    )
    changed += PlanCheckIn.objects.filter(plan__in=plans).update(note="(erased)")
    changed += (
        Answer.objects.filter(assessment__organization=org, assessment__subject=subject.employee)
        .exclude(comment="")
        .update(comment="")
    )
    return changed


def register() -> None:
    register_personal_data(
        app="assessments",
        floor=3,
        holds="Answers about them and assessments they answered, development plan goals "
        "and coach check-ins, knowledge-check results, readiness nominations.",
        export=export,
        erase=erase,
    )
