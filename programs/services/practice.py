"""Practice tools: SBI feedback entries and delegation decisions with their outcomes."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.permissions import Actor
from programs.models import (
    DelegationDecision,
    Enrollment,
    SbiEntry,
)
from programs.practice import delegation_recommend, sbi_check
from programs.services.learning import own_active_check

logger = logging.getLogger(__name__)


@transaction.atomic
def sbi_entry_save(
    *,
    actor: Actor,
    enrollment: Enrollment,
    situation: str,
    behavior: str,
    impact: str,
    request: str = "",
    save_anyway: bool = False,
) -> tuple[SbiEntry | None, list]:
    """Checks an SBI entry and saves it to the practice log when the checker finds
    nothing, or when the learner chooses to save anyway. Returns (entry or None, flags)."""
    own_active_check(actor, enrollment)
    flags = sbi_check(situation=situation, behavior=behavior, impact=impact, request=request)
    required = {f.field for f in flags if f.code.endswith("_missing")}
    if required or (flags and not save_anyway):
        return None, flags
    entry = SbiEntry.objects.create(
        enrollment=enrollment,
        situation=situation.strip(),
        behavior=behavior.strip(),
        impact=impact.strip(),
        request=request.strip(),
    )
    return entry, flags


@transaction.atomic
def delegation_decision_log(
    *,
    actor: Actor,
    enrollment: Enrollment,
    task: str,
    delegate_name: str,
    complexity: int,
    readiness: int,
    chosen_level: str | None = None,
) -> DelegationDecision:
    """Logs a real delegation decision with the matrix's recommendation beside the
    level the learner chose."""
    own_active_check(actor, enrollment)
    errors = {}
    if not task.strip():
        errors["task"] = "Describe the task."
    if not delegate_name.strip():
        errors["delegate_name"] = "Say who you are delegating to."
    try:
        advice = delegation_recommend(complexity=int(complexity), readiness=int(readiness))
    except (TypeError, ValueError) as exc:
        errors["complexity"] = str(exc)
        advice = None
    if errors:
        raise ValidationError(errors)
    return DelegationDecision.objects.create(
        enrollment=enrollment,
        task=task.strip()[:300],
        delegate_name=delegate_name.strip()[:200],
        complexity=int(complexity),
        readiness=int(readiness),
        recommended_level=advice.level,
        chosen_level=chosen_level or advice.level,
    )


@transaction.atomic
def delegation_outcome_record(
    *, actor: Actor, decision: DelegationDecision, outcome: str
) -> DelegationDecision:
    own_active_check(actor, decision.enrollment)
    if not outcome.strip():
        raise ValidationError({"outcome": "Say how it went."})
    decision.outcome, decision.outcome_recorded_at = outcome.strip(), timezone.now()
    decision.save(update_fields=["outcome", "outcome_recorded_at"])
    return decision
