"""Every write in assessments/, by area. Callers use `from assessments import services`
and `services.<name>`; each area lives in its own module."""

from assessments.services.knowledge_checks import (
    check_key,
    knowledge_check_for,
    knowledge_check_publish,
    knowledge_check_submit,
)
from assessments.services.library import (
    LIBRARY_DIR,
    QUESTIONNAIRE_KINDS,
    assessment_library_load,
)
from assessments.services.plans import (
    GOAL_PLACEHOLDER,
    PRACTICE_COMMITMENTS,
    goals_to_write,
    goals_to_write_message,
    plan_agree,
    plan_draft,
    plan_draft_awaits,
    plan_goal_update,
    plan_share,
    plan_shared_seen,
    target_set,
    targets_default,
)
from assessments.services.readiness import (
    READINESS_TEMPLATE,
    copy_for_cohort,
    plan_checkin_record,
    readiness_nominate,
    readiness_view_audit,
    target_clear,
)
from assessments.services.rounds import (
    MANAGER_TEMPLATE,
    SELF_TEMPLATE,
    assessment_answer,
    assessment_reopen,
    assessment_round_open,
    assessment_submit_refusal,
)

__all__ = [
    "GOAL_PLACEHOLDER",
    "LIBRARY_DIR",
    "MANAGER_TEMPLATE",
    "PRACTICE_COMMITMENTS",
    "QUESTIONNAIRE_KINDS",
    "READINESS_TEMPLATE",
    "SELF_TEMPLATE",
    "assessment_answer",
    "assessment_library_load",
    "assessment_reopen",
    "assessment_round_open",
    "assessment_submit_refusal",
    "check_key",
    "copy_for_cohort",
    "goals_to_write",
    "goals_to_write_message",
    "knowledge_check_for",
    "knowledge_check_publish",
    "knowledge_check_submit",
    "plan_agree",
    "plan_checkin_record",
    "plan_draft",
    "plan_draft_awaits",
    "plan_goal_update",
    "plan_share",
    "plan_shared_seen",
    "readiness_nominate",
    "readiness_view_audit",
    "target_clear",
    "target_set",
    "targets_default",
]
