"""Learning activity is counted from the domain events, once per event."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.models import LearningActivity
from people.events import EventName, event_handle
from people.models import DomainEvent
from programs import services
from programs.models import ModuleKind
from tests.programs.conftest import module_named


def counts():
    return list(LearningActivity.objects.values_list("cohort_id", "event", "count"))


def test_completing_a_module_is_counted_once_however_often_it_is_delivered(
    enrollment, learner_actor, program, org, django_capture_on_commit_callbacks
):
    welcome = module_named(program, "Welcome")
    with django_capture_on_commit_callbacks(execute=True):
        services.module_mark_done(actor=learner_actor, enrollment=enrollment, module=welcome)
        # Marking it done again completes nothing new, so announces nothing.
        services.module_mark_done(actor=learner_actor, enrollment=enrollment, module=welcome)
    [event] = DomainEvent.objects.filter(name=EventName.MODULE_COMPLETED)
    assert event.payload == {
        "enrollment_id": enrollment.pk,
        "cohort_id": enrollment.cohort_id,
        "employee_id": enrollment.employee_id,
        "module_id": welcome.pk,
        "module_kind": "lesson",
    }
    assert counts() == [(enrollment.cohort_id, EventName.MODULE_COMPLETED, 1)]
    event_handle(event_id=event.pk)
    assert counts() == [(enrollment.cohort_id, EventName.MODULE_COMPLETED, 1)]


def test_a_failed_completion_announces_nothing(enrollment, learner_actor, program):
    scenario = module_named(program, "Feedback role-play")
    try:
        with transaction.atomic():
            services.module_mark_done(actor=learner_actor, enrollment=enrollment, module=scenario)
    except ValidationError:
        pass
    assert not DomainEvent.objects.exists()


def test_a_finished_scenario_announces_its_score_and_completes_the_module(
    enrollment, learner_actor, program, django_capture_on_commit_callbacks
):
    module = module_named(program, "Feedback role-play")
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.attempt_start(actor=learner_actor, enrollment=enrollment, module=module)
        services.attempt_choose(actor=learner_actor, attempt=attempt, step_id="open", choice=1)
    finished = DomainEvent.objects.get(name=EventName.SCENARIO_ATTEMPT_FINISHED)
    assert finished.payload["ending"] == "blame" and finished.payload["total_score"] == -3
    assert sorted(e for _c, e, _n in counts()) == [
        EventName.MODULE_COMPLETED,
        EventName.SCENARIO_ATTEMPT_FINISHED,
    ]


def test_attendance_announces_only_newly_completed_sessions(
    lnd, cohort, enrollment, program, org, django_capture_on_commit_callbacks
):
    session = services.module_save(
        actor=lnd,
        program=program,
        title="Workshop",
        kind=ModuleKind.LIVE_SESSION,
        release_week=1,
        session_location="Room Ada",
        session_starts_at=timezone.now() - datetime.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_record(
            actor=lnd, cohort=cohort, module=session, attended_ids={enrollment.pk}
        )
        services.attendance_record(
            actor=lnd, cohort=cohort, module=session, attended_ids={enrollment.pk}
        )
    assert DomainEvent.objects.filter(name=EventName.MODULE_COMPLETED).count() == 1
    assert counts() == [(cohort.pk, EventName.MODULE_COMPLETED, 1)]
