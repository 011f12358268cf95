"""Every write in programs/, by area. Callers use `from programs import services` and
`services.<name>`; each area lives in its own module."""

from programs.services.catalogue import (
    module_delete,
    module_save,
    program_save,
)
from programs.services.cohorts import (
    attendance_record,
    cohort_save,
    enrollment_add,
    enrollment_move,
    enrollment_problems,
    enrollment_withdraw,
    progress_export_audit,
)
from programs.services.enrollment_imports import (
    MAX_ENROLMENT_ROWS,
    EnrollmentImportNotCommittable,
    enrollment_import_commit,
    enrollment_import_discard,
    enrollment_import_start,
)
from programs.services.framework import (
    competencies_seed,
    competency_save,
    competency_set_retired,
    framework_mark_reviewed,
)
from programs.services.learning import (
    SELF_COMPLETED_KINDS,
    attempt_choose,
    attempt_start,
    module_complete,
    module_mark_done,
    module_rate,
    module_start,
    own_active_check,
    reflection_save,
)
from programs.services.practice import (
    delegation_decision_log,
    delegation_outcome_record,
    sbi_entry_save,
)
from programs.services.reminders import (
    RELEASE_REMINDER_DAYS,
    REMINDER_MAIL,
    reminder_mark_sent,
    reminder_render,
    reminders_queue_due,
    reminders_send_due,
)
from programs.services.scenarios import (
    LIBRARY_DIR,
    organization_content_seed,
    scenario_export_yaml,
    scenario_import,
    scenario_library_load,
    scenario_publish,
    scenario_spec,
)

__all__ = [
    "LIBRARY_DIR",
    "MAX_ENROLMENT_ROWS",
    "RELEASE_REMINDER_DAYS",
    "REMINDER_MAIL",
    "SELF_COMPLETED_KINDS",
    "EnrollmentImportNotCommittable",
    "attempt_choose",
    "attempt_start",
    "attendance_record",
    "cohort_save",
    "competencies_seed",
    "competency_save",
    "competency_set_retired",
    "delegation_decision_log",
    "delegation_outcome_record",
    "enrollment_add",
    "enrollment_import_commit",
    "enrollment_import_discard",
    "enrollment_import_start",
    "enrollment_move",
    "enrollment_problems",
    "enrollment_withdraw",
    "framework_mark_reviewed",
    "module_complete",
    "module_delete",
    "module_mark_done",
    "module_rate",
    "module_save",
    "module_start",
    "organization_content_seed",
    "own_active_check",
    "program_save",
    "progress_export_audit",
    "reflection_save",
    "reminder_mark_sent",
    "reminder_render",
    "reminders_queue_due",
    "reminders_send_due",
    "sbi_entry_save",
    "scenario_export_yaml",
    "scenario_import",
    "scenario_library_load",
    "scenario_publish",
    "scenario_spec",
]
