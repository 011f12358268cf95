"""Personal API tokens: minted, checked, revoked. Only a hash is ever stored."""

import datetime
import hashlib
import logging
import re
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.audit import audit_log
from people.models import (
    ApiToken,
    User,
)
from people.permissions import Actor

logger = logging.getLogger(__name__)


def _hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 is enough: there is no
    # dictionary to attack, and lookups stay fast on every API request.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, actor: Actor, name: str, roles: list[str] | None, read_only: bool
) -> tuple[ApiToken, str]:
    """Creates a token carrying at most the actor's roles here (all of them when
    `roles` is None or empty). Returns it and its secret, which is shown once and never
    stored."""
    roles = roles or sorted(actor.roles)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name so you can recognise it later."})
    not_held = sorted(set(roles) - set(actor.roles))
    if not_held:
        raise ValidationError(
            {"roles": f"You do not hold these roles here: {', '.join(not_held)}."}
        )
    key_id = ApiToken.new_key_id()
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor.user,
        organization=actor.organization,
        name=name[:100],
        key_id=key_id,
        key_hash=_hash_secret(secret),
        roles=sorted(set(roles)),
        read_only=read_only,
    )
    audit_log(
        organization=actor.organization,
        actor=actor.user,
        action="api_token.created",
        target=token.name,
    )
    return token, f"{ApiToken.PREFIX}_{key_id}_{secret}"


_TOKEN_PART = re.compile(r"[A-Za-z0-9-]{1,16}")


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token matching `raw`, or None. Constant-time comparison of hashes."""
    try:
        prefix, key_id, secret = raw.split("_", 2)
    except ValueError:
        return None
    # Only the characters a minted token has reach the database (PostgreSQL refuses NUL).
    if prefix != ApiToken.PREFIX or not _TOKEN_PART.fullmatch(key_id) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "organization")
        .filter(key_id=key_id, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.key_hash, _hash_secret(secret)):
        return None
    now = timezone.now()
    # Touch last_used at most once a minute to keep API reads from becoming writes.
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise ApiToken.DoesNotExist
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            organization=token.organization,
            actor=user,
            action="api_token.revoked",
            target=token.name,
        )


# Why every token of a login was revoked at once, as recorded in the audit trail.
TOKENS_REVOKED_PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a reason, not a secret)
TOKENS_REVOKED_LOGIN_DEACTIVATED = "login_deactivated"


@transaction.atomic
def api_tokens_revoke_all(*, user_ids: Iterable[int], reason: str) -> int:
    """Revokes every still-active token of these logins; returns how many.

    Called whenever a login's credentials change hands or close (a password set by
    any path, a login deactivated), so a token copied before then stops working.
    Tokens created afterwards are unaffected. Each organisation's audit trail gets one
    entry per login naming how many of its tokens closed and why; never a secret.
    """
    active = ApiToken.objects.select_for_update().filter(
        user_id__in=user_ids, revoked_at__isnull=True
    )
    tokens = list(active.select_related("user", "organization"))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    revoked: dict[tuple[int, int], list[ApiToken]] = {}
    for token in tokens:
        revoked.setdefault((token.user_id, token.organization_id), []).append(token)
    for group in revoked.values():
        audit_log(
            organization=group[0].organization,
            actor=None,
            action="api_token.revoked_all",
            target=group[0].user.email,
            detail={"reason": reason, "count": len(group), "token_ids": [t.pk for t in group]},
        )
    return len(tokens)
