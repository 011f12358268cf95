"""Approved raters are invited without anyone pressing send: on approval when their cycle
is already open, else when it opens. Each gets one email with their own link."""

from feedback360.models import CycleStatus, RaterAssignment, RaterStatus
from feedback360.services import cycles, nomination
from tests.feedback360.factories_nomination import make_cycle, settings_for


def _nominate_peers(actor, cycle, subject, people):
    for person in people:
        nomination.rater_nominate(
            actor=actor, cycle=cycle, subject=subject, group="peer", employee_id=person.pk
        )


def test_approving_raters_of_an_open_cycle_invites_each_of_them_once(
    learner_actor,
    manager_actor,
    cohort,
    enrollment,
    colleagues,
    org,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings_for(org, peers_min=2, stakeholders_min=0)
    cycle = make_cycle(cohort=cohort, status=CycleStatus.OPEN)
    _nominate_peers(learner_actor, cycle, enrollment, colleagues[:2])
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        nomination.raters_approve(actor=manager_actor, cycle=cycle, subject=enrollment)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(c.email for c in colleagues[:2])
    assert set(RaterAssignment.objects.values_list("status", flat=True)) == {RaterStatus.INVITED}


def test_raters_approved_before_opening_are_invited_when_the_cycle_opens(
    learner_actor,
    manager_actor,
    lnd,
    cycle,
    enrollment,
    colleagues,
    org,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    settings_for(org, peers_min=2, stakeholders_min=0)
    _nominate_peers(learner_actor, cycle, enrollment, colleagues[:2])
    with django_capture_on_commit_callbacks(execute=True):
        nomination.raters_approve(actor=manager_actor, cycle=cycle, subject=enrollment)
    assert mailoutbox == [], "a scheduled cycle invites nobody yet"

    with django_capture_on_commit_callbacks(execute=True):
        cycles.cycle_open(actor=lnd, cycle=cycle)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(c.email for c in colleagues[:2])
