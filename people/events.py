"""Domain events: services announce what happened; higher apps subscribe.

A service calls `event_emit(...)` inside its transaction. The event row commits with
the change or not at all, and once it commits a Celery task hands it to every handler
subscribed to its name. Each handler runs in its own transaction together with an
`EventHandling` row naming it, so a handler sees an event exactly once even when a task
runs twice; a handler that fails leaves no mark and is tried again. When the worker or
the broker was down, beat's sweeper sends what is still unhandled.

Handlers subscribe in their AppConfig.ready(), so a lower app (programs, assessments)
never imports the higher ones (metrics, later xAPI) that listen to it.
"""

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone

from people.models import DomainEvent, EventHandling, Organization
from people.permissions import Actor

logger = logging.getLogger(__name__)

TASK = "people.tasks.handle_event"
# An event still unhandled this long after it happened is sent again by the sweeper.
RESEND_AFTER = datetime.timedelta(seconds=60)


class EventName:
    MODULE_COMPLETED = "module.completed"
    SCENARIO_ATTEMPT_FINISHED = "scenario_attempt.finished"
    KNOWLEDGE_CHECK_ATTEMPTED = "knowledge_check.attempted"
    ASSESSMENT_SUBMITTED = "assessment.submitted"
    PLAN_AGREED = "plan.agreed"


@dataclass(frozen=True)
class Handler:
    name: str
    func: Callable[[DomainEvent], None]


HANDLERS: dict[str, list[Handler]] = {}


def subscribe(event_name: str, *, handler: str, func: Callable[[DomainEvent], None]) -> None:
    """Registers `func` for events called `event_name`. `handler` names it for the
    once-only record: keep it stable, or every past event looks unhandled to it."""
    handlers = HANDLERS.setdefault(event_name, [])
    if any(h.name == handler for h in handlers):
        raise ValueError(f"{handler!r} already handles {event_name!r}.")
    handlers.append(Handler(name=handler, func=func))


def event_emit(
    *,
    name: str,
    actor: Actor | None,
    organization: Organization | None = None,
    payload: dict,
) -> DomainEvent:
    """Writes an event in the caller's transaction and sends it to its handlers once
    that commits. `actor` None or a system actor records no user: a 360 response is
    announced that way, so no event ever names a rater."""
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the event could commit without the change it announces.
        raise RuntimeError("event_emit must run inside the service's transaction.")
    user = None if actor is None or actor.is_system else actor.user
    event = DomainEvent.objects.create(
        organization=organization or actor.organization, name=name, actor=user, payload=payload
    )
    transaction.on_commit(lambda: _send(event.pk))
    return event


def event_emit_many(
    *, name: str, actor: Actor | None, organization: Organization, payloads: list[dict]
) -> list[DomainEvent]:
    """`event_emit` for many events of one kind at once (attendance for a whole
    cohort), in one insert."""
    if not payloads:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_emit_many must run inside the service's transaction.")
    user = None if actor is None or actor.is_system else actor.user
    events = DomainEvent.objects.bulk_create(
        DomainEvent(organization=organization, name=name, actor=user, payload=payload)
        for payload in payloads
    )
    ids = [event.pk for event in events]
    transaction.on_commit(lambda: [_send(event_id) for event_id in ids])
    return events


def _send(event_id: uuid.UUID) -> None:
    try:
        current_app.tasks[TASK].delay(str(event_id))
    except Exception:
        if current_app.conf.task_always_eager:
            raise
        logger.exception("Could not queue event %s; the sweeper will send it", event_id)


def event_handle(*, event_id: uuid.UUID | str) -> list[str]:
    """Runs every handler that has not yet handled the event. Returns the names of those
    that ran now. A handler that raises is logged and tried again by the sweeper; the
    others are not held back by it."""
    event = DomainEvent.objects.filter(pk=event_id).first()
    if event is None or event.handled_at is not None:
        return []
    ran, failed = [], False
    done = set(EventHandling.objects.filter(event=event).values_list("handler", flat=True))
    for handler in HANDLERS.get(event.name, []):
        if handler.name in done:
            continue
        try:
            with transaction.atomic():
                try:
                    # The unique constraint makes a second, concurrent run wait here and
                    # then fail, so the handler's work is never done twice.
                    with transaction.atomic():
                        EventHandling.objects.create(event=event, handler=handler.name)
                except IntegrityError:
                    continue
                handler.func(event)
        except Exception:
            failed = True
            logger.exception("Handler %s failed on event %s", handler.name, event.pk)
            continue
        ran.append(handler.name)
    if not failed:
        DomainEvent.objects.filter(pk=event.pk, handled_at__isnull=True).update(
            handled_at=timezone.now()
        )
    return ran


def events_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Sends again the events that are still unhandled a while after they happened
    (the worker or the broker was down, or a handler failed). Returns how many."""
    cutoff = (now or timezone.now()) - RESEND_AFTER
    ids = list(
        DomainEvent.objects.filter(handled_at__isnull=True, occurred_at__lte=cutoff)
        .order_by("occurred_at")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in ids:
        _send(event_id)
    return len(ids)
