"""Domain events: written in the service's transaction, handled once by each handler."""

import datetime

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from people import events
from people.actors import system_actor
from people.events import EventName, event_emit, event_handle, events_sweep, subscribe
from people.models import DomainEvent, EventHandling
from tests.conftest import actor_for


@pytest.fixture
def recorded(monkeypatch):
    """A handler that records what it saw, subscribed for the test only."""
    seen = []
    monkeypatch.setattr(events, "HANDLERS", {})
    subscribe("test.happened", handler="tests.recorder", func=lambda e: seen.append(e.pk))
    return seen


def test_an_event_committed_with_its_change_reaches_its_handler_once(
    org, learner, recorded, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = event_emit(name="test.happened", actor=actor_for(learner, org), payload={"n": 1})
    assert recorded == [event.pk]
    # A second delivery of the same event (a retried task, the sweeper) changes nothing.
    assert event_handle(event_id=event.pk) == []
    assert recorded == [event.pk]
    assert list(EventHandling.objects.values_list("event_id", "handler")) == [
        (event.pk, "tests.recorder")
    ]
    event.refresh_from_db()
    assert event.handled_at is not None and event.actor == learner and event.payload == {"n": 1}


def test_a_rolled_back_change_leaves_no_event(org, learner, recorded):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        event_emit(name="test.happened", actor=actor_for(learner, org), payload={})
        raise Boom
    assert not DomainEvent.objects.exists()
    assert recorded == []


@pytest.mark.django_db(transaction=True)
def test_an_event_cannot_be_written_outside_a_transaction(org, learner):
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        event_emit(name="test.happened", actor=actor_for(learner, org), payload={})
    assert not DomainEvent.objects.exists()


def test_the_system_actor_is_recorded_as_nobody(org, recorded):
    with transaction.atomic():
        event = event_emit(name="test.happened", actor=system_actor(organization=org), payload={})
    assert event.actor is None and event.organization == org


def test_a_failing_handler_is_tried_again_without_holding_back_the_others(
    org, learner, monkeypatch
):
    monkeypatch.setattr(events, "HANDLERS", {})
    calls = {"flaky": 0, "steady": 0}

    def flaky(event):
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise ConnectionError("the learning record store is down")

    subscribe("test.happened", handler="tests.flaky", func=flaky)
    subscribe("test.happened", handler="tests.steady", func=lambda e: calls.update(steady=1))
    with transaction.atomic():
        event = event_emit(name="test.happened", actor=actor_for(learner, org), payload={})
    assert event_handle(event_id=event.pk) == ["tests.steady"]
    event.refresh_from_db()
    assert event.handled_at is None  # the sweeper will send it again
    assert event_handle(event_id=event.pk) == ["tests.flaky"]
    assert calls == {"flaky": 2, "steady": 1}
    assert EventHandling.objects.filter(event=event).count() == 2


def test_the_sweeper_resends_only_events_left_unhandled_for_a_while(
    org, learner, recorded, monkeypatch
):
    sent = []
    monkeypatch.setattr(events, "_send", sent.append)
    with transaction.atomic():
        old = event_emit(name="test.happened", actor=actor_for(learner, org), payload={})
        new = event_emit(name="test.happened", actor=actor_for(learner, org), payload={})
        done = event_emit(name="test.happened", actor=actor_for(learner, org), payload={})
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    DomainEvent.objects.filter(pk__in=[old.pk, done.pk]).update(occurred_at=long_ago)
    DomainEvent.objects.filter(pk=done.pk).update(handled_at=timezone.now())
    assert events_sweep() == 1
    assert sent == [old.pk]
    assert new.pk not in sent


def test_a_broker_that_is_down_does_not_fail_the_change(
    org, learner, recorded, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(current_app.tasks[events.TASK], "delay", down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = event_emit(name="test.happened", actor=actor_for(learner, org), payload={})
    assert DomainEvent.objects.get(pk=event.pk).handled_at is None
    assert recorded == []


def test_learning_services_announce_what_happened(
    org, learner, lnd_manager, django_capture_on_commit_callbacks
):
    """The names the lower apps emit are the ones subscribers listen for."""
    assert {
        EventName.MODULE_COMPLETED,
        EventName.SCENARIO_ATTEMPT_FINISHED,
        EventName.KNOWLEDGE_CHECK_ATTEMPTED,
    } <= set(events.HANDLERS)
