"""Knowledge checks: questions set per module, attempts scored, passing completes the module."""

from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.checks import CheckFileError, validate_check
from assessments.models import (
    AssessmentItem,
    AssessmentKind,
    AssessmentTemplate,
    ItemType,
    KnowledgeCheckAttempt,
)
from assessments.scoring import knowledge_check_score
from people.events import EventName, event_emit
from people.permissions import Actor, require
from programs.models import Enrollment, EnrollmentStatus, ModuleKind
from programs.permissions import is_own_enrollment
from programs.services import module_complete


def check_key(module) -> str:
    return f"check-module-{module.pk}"


@transaction.atomic
def knowledge_check_publish(*, actor: Actor, module, content: str) -> AssessmentTemplate:
    """Sets a knowledge-check module's questions from a YAML text. Raises ValidationError
    ({"content": [...]}) listing every problem; nothing changes unless all is valid.
    Earlier attempts keep their recorded scores."""

    require(actor, "manage_assessments")
    if module.program.organization_id != actor.organization.pk:
        raise AssessmentTemplate.DoesNotExist
    if module.kind != ModuleKind.KNOWLEDGE_CHECK:
        raise ValidationError({"content": ["Questions belong to knowledge-check modules only."]})
    try:
        spec = validate_check(content)
    except CheckFileError as exc:
        raise ValidationError({"content": exc.errors}) from None
    template, _ = AssessmentTemplate.objects.update_or_create(
        organization=actor.organization,
        key=check_key(module),
        defaults={
            "title": spec.title,
            "kind": AssessmentKind.KNOWLEDGE_CHECK,
            "module": module,
            "pass_mark": spec.pass_mark,
        },
    )
    template.items.all().delete()
    competency = module.competencies.first()
    AssessmentItem.objects.bulk_create(
        AssessmentItem(
            template=template,
            key=q["id"],
            position=i,
            competency=competency,
            item_type=ItemType.CHOICE,
            text=q["text"],
            options=q["options"],
            correct=q["correct"],
            explanation=q["explanation"],
        )
        for i, q in enumerate(spec.questions)
    )
    return template


def knowledge_check_for(*, module) -> AssessmentTemplate | None:
    return (
        AssessmentTemplate.objects.filter(
            key=check_key(module), organization_id=module.program.organization_id
        )
        .prefetch_related("items")
        .first()
    )


@transaction.atomic
def knowledge_check_submit(
    *, actor: Actor, enrollment: Enrollment, module, answers: dict[str, list[str]]
):
    """Scores one attempt (a question counts only when exactly the right options are
    chosen) and completes the module on a pass. Retakes are allowed; each is kept."""

    if not is_own_enrollment(actor, enrollment):
        raise Enrollment.DoesNotExist
    if enrollment.status != EnrollmentStatus.ACTIVE:
        raise ValidationError({"answers": "This enrolment has ended."})
    template = knowledge_check_for(module=module)
    if template is None or module.program_id != enrollment.cohort.program_id:
        raise AssessmentTemplate.DoesNotExist
    items = {i.key: i for i in template.items.all()}
    chosen: dict[str, set[str]] = {}
    for key, picked in answers.items():
        item = items.get(key)
        options = {o["key"] for o in item.options} if item else set()
        if item is None or not set(picked) <= options:
            raise ValidationError(
                {"answers": [f"'{key}' has an answer that is not one of its options."]}
            )
        chosen[key] = set(picked)
    result = knowledge_check_score(
        answers=chosen,
        correct={k: set(i.correct) for k, i in items.items()},
        pass_mark=template.pass_mark,
    )
    attempt = KnowledgeCheckAttempt.objects.create(
        template=template,
        enrollment=enrollment,
        answers={k: sorted(v) for k, v in chosen.items()},
        correct=result.correct,
        total=result.total,
        percent=result.percent,
        passed=result.passed,
    )
    event_emit(
        name=EventName.KNOWLEDGE_CHECK_ATTEMPTED,
        actor=actor,
        payload={
            "attempt_id": attempt.pk,
            "enrollment_id": enrollment.pk,
            "employee_id": enrollment.employee_id,
            "module_id": module.pk,
            "percent": attempt.percent,
            "passed": attempt.passed,
        },
    )
    if result.passed:
        # Completing its module stays a direct call: the learner sees it at once.
        module_complete(actor=actor, enrollment=enrollment, module=module)
    return attempt
