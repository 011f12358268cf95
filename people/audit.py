"""The audit trail: who did what to whom, and when. Never the sensitive values themselves."""

import logging

from people.models import (
    AuditEntry,
    Organization,
    User,
)

logger = logging.getLogger(__name__)


def audit_log(
    *,
    organization: Organization | None,
    actor: User | None,
    action: str,
    target: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Records who did what. `detail` carries counts and ids, never sensitive values."""
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        target=target[:200],
        detail=detail or {},
    )
