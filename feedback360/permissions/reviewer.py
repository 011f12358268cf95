"""Who may answer through a rater link.

A rater needs no account: holding the link is the credential. The link's token is
stored only as a SHA-256 hash, and a link works while its rater is still invited and
its cycle is open. No organisation role grants `answer_as_rater`, and a link grants
nothing else, so the rater is a principal of its own in the deny-by-default walk.
"""

import datetime
import enum
import hashlib
from dataclasses import dataclass

from feedback360.models import CycleStatus, RaterAssignment, RaterStatus
from people.permissions import Actor, Scope, register

ANSWER_AS_RATER = "answer_as_rater"
# secrets.token_urlsafe(32) is 43 characters; anything much longer is not a link of ours.
TOKEN_MAX_LENGTH = 100


class LinkState(enum.StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"  # altered, guessed, or never sent
    ANSWERED = "answered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the rater was removed from the learner's list
    CLOSED = "closed"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", errors="replace")).hexdigest()


def link_state(assignment: RaterAssignment | None, *, today: datetime.date) -> LinkState:
    """What a link to `assignment` may do on `today` (the organisation's date). Only
    OPEN lets the rater save, submit, decline or unsubscribe."""
    if assignment is None:
        return LinkState.UNKNOWN
    if assignment.status == RaterStatus.SUBMITTED:
        return LinkState.ANSWERED
    if assignment.status == RaterStatus.DECLINED:
        return LinkState.DECLINED
    cycle = assignment.cycle
    if cycle.status != CycleStatus.OPEN or today > cycle.closes_on:
        return LinkState.CLOSED
    if assignment.status != RaterStatus.INVITED:
        return LinkState.WITHDRAWN
    return LinkState.OPEN


@dataclass(frozen=True)
class RaterPrincipal:
    """Who calls the rater API: the holder of one link, for one assignment."""

    assignment: RaterAssignment | None
    state: LinkState

    @property
    def organization(self):
        return self.assignment.organization if self.assignment else None


def own_rater_requests(actor: Actor) -> Scope:
    """Rater requests addressed to the actor's own roster record in their organisation:
    what a rater with an account sees on their home page and may open from it."""
    return Scope.where(organization_id=actor.organization.pk, employee_id=actor.employee_id)


def _no_member_holds_it(actor: Actor) -> bool:
    # Only a rater link grants it (see feedback360.api.reviewer); a role never does.
    return False


def register_permissions() -> None:
    register(ANSWER_AS_RATER, _no_member_holds_it)
