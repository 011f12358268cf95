"""What programs holds about a person, for export and erasure (see people.personal_data)."""

from people.personal_data import Subject, register_personal_data
from programs.models import (
    DelegationDecision,
    Enrollment,
    ModuleProgress,
    Reflection,
    SbiEntry,
    ScenarioAttempt,
)


def _enrollments(subject: Subject):
    if subject.employee is None:
        return Enrollment.objects.none()
    return Enrollment.objects.filter(
        employee=subject.employee, cohort__organization=subject.organization
    )


def export(subject: Subject) -> dict:
    enrollments = _enrollments(subject)
    return {
        "enrolments": list(
            enrollments.values(
                "pk",
                "cohort__name",
                "cohort__program__title",
                "status",
                "enrolled_at",
                "ended_at",
                "coach__email",
            )
        ),
        "progress": list(
            ModuleProgress.objects.filter(enrollment__in=enrollments).values(
                "enrollment_id",
                "module__title",
                "status",
                "completed_at",
                "rating",
                "rating_comment",
            )
        ),
        "scenario_attempts": list(
            ScenarioAttempt.objects.filter(enrollment__in=enrollments).values(
                "enrollment_id",
                "module__title",
                "status",
                "ending",
                "total_score",
                "started_at",
                "finished_at",
            )
        ),
        "reflections": list(
            Reflection.objects.filter(enrollment__in=enrollments).values(
                "enrollment_id", "module__title", "text", "updated_at"
            )
        ),
        "sbi_entries": list(
            SbiEntry.objects.filter(enrollment__in=enrollments).values(
                "enrollment_id", "situation", "behavior", "impact", "request", "created_at"
            )
        ),
        "delegation_decisions": list(
            DelegationDecision.objects.filter(enrollment__in=enrollments).values(
                "enrollment_id", "task", "delegate_name", "chosen_level", "outcome", "created_at"
            )
        ),
    }


def erase(subject: Subject) -> int:
    """Free text goes; progress and scores stay, tied to the enrolment's id only."""
    enrollments = _enrollments(subject)
    changed = 0
    for model in (Reflection, SbiEntry, DelegationDecision):
        changed += model.objects.filter(enrollment__in=enrollments).delete()[0]
    changed += (
        ModuleProgress.objects.filter(enrollment__in=enrollments)
        .exclude(rating_comment="")
        .update(rating_comment="")
    )
    return changed


def register() -> None:
    register_personal_data(
        app="programs",
        floor=2,
        holds="Enrolments, module progress and ratings, scenario attempts and scores, "
        "reflections, SBI feedback entries and delegation decisions.",
        export=export,
        erase=erase,
    )
