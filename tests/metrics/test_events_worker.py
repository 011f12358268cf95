"""Through a real worker: an event written while the broker was unreachable is found by
beat's sweeper and handled once, however often it is delivered."""

import datetime

import pytest
from celery import Celery, current_app
from django.utils import timezone

from metrics.models import LearningActivity
from people import events
from people.models import DomainEvent, EventHandling
from programs import services
from tests.programs.conftest import module_named
from tests.worker import broker_for, celery_worker, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
# Redis only: the filesystem transport's worker is exercised by tests/people/test_worker.py.
@pytest.mark.parametrize("transport", ["redis"])
def test_an_event_from_while_the_worker_was_down_is_handled_once(
    transport, enrollment, learner_actor, program, tmp_path, monkeypatch
):
    url, options, env = broker_for(transport, tmp_path)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    # The learner finishes a lesson while nothing can be queued: the change commits,
    # and the event waits in its table.
    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(current_app.tasks[events.TASK], "delay", broker_down)
    welcome = module_named(program, "Welcome")
    services.module_mark_done(actor=learner_actor, enrollment=enrollment, module=welcome)
    event = DomainEvent.objects.get()
    assert event.handled_at is None and not LearningActivity.objects.exists()
    DomainEvent.objects.filter(pk=event.pk).update(
        occurred_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    with celery_worker(env, tmp_path, drop_broker_url=transport == "filesystem") as worker:
        producer = Celery(broker=url, broker_transport_options=options)
        # Delivered twice by hand (a retried task) and once more by beat's sweeper.
        producer.send_task(events.TASK, args=[str(event.pk)])
        producer.send_task(events.TASK, args=[str(event.pk)])
        producer.send_task("people.tasks.sweep_events")
        wait_for(lambda: DomainEvent.objects.get(pk=event.pk).handled_at is not None, worker)
        # Let the duplicate deliveries run too before counting.
        producer.send_task("people.tasks.sweep_stale_jobs")
        wait_for(lambda: False, worker, seconds=1)
    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert DomainEvent.objects.get(pk=event.pk).handled_at is not None, log
    assert list(EventHandling.objects.values_list("handler", flat=True)) == [
        "metrics.learning_activity"
    ]
    assert list(LearningActivity.objects.values_list("event", "count")) == [("module.completed", 1)]
