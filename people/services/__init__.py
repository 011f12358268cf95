"""Every write in people/, by area. Callers use `from people import services` and
`services.<name>`; each area lives in its own module."""

from people.audit import audit_log
from people.jobs import (
    JobRetryLater,
    job_claim,
    job_progress,
    job_run,
    jobs_sweep_stale,
)
from people.services.access import (
    employee_access_grant,
    employees_access_grant,
    invitation_queue,
    invitation_render,
    membership_grant,
    membership_revoke,
    organization_create,
    password_choose_link,
    user_get_or_create,
)
from people.services.employees import (
    HISTORY_ATTRS,
    employee_update,
    history_state,
    logins_deactivate,
    record_from,
    roster_version_bump,
    team_create,
    team_update,
    terminated_logins_deactivate,
)
from people.services.roster_import import (
    ImportNotCommittable,
    roster_import_commit,
    roster_import_discard,
    roster_import_parse,
    roster_import_start,
    roster_imports_fail,
)
from people.services.tokens import (
    TOKENS_REVOKED_LOGIN_DEACTIVATED,
    TOKENS_REVOKED_PASSWORD_CHANGED,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
)

__all__ = [
    "HISTORY_ATTRS",
    "TOKENS_REVOKED_LOGIN_DEACTIVATED",
    "TOKENS_REVOKED_PASSWORD_CHANGED",
    "ImportNotCommittable",
    "JobRetryLater",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "api_tokens_revoke_all",
    "audit_log",
    "employee_access_grant",
    "employee_update",
    "employees_access_grant",
    "history_state",
    "invitation_queue",
    "invitation_render",
    "job_claim",
    "job_progress",
    "job_run",
    "jobs_sweep_stale",
    "logins_deactivate",
    "membership_grant",
    "membership_revoke",
    "organization_create",
    "password_choose_link",
    "record_from",
    "roster_import_commit",
    "roster_import_discard",
    "roster_import_parse",
    "roster_import_start",
    "roster_imports_fail",
    "roster_version_bump",
    "team_create",
    "team_update",
    "terminated_logins_deactivate",
    "user_get_or_create",
]
