"""360 cycles: scheduled, opened (copying the thresholds), closed, never reopened."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback360.models import FeedbackCycle, FeedbackSettings
from feedback360.selectors.settings import feedback_settings
from feedback360.services import cycles
from feedback360.tasks_cycles import advance_cycles
from people.models import AuditEntry
from tests.conftest import actor_for
from tests.feedback360.factories_cycles import small_questionnaire

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _create(lnd, cohort, phase="pre", opens=2, closes=16, questionnaire=None):
    today = cohort.organization.today()
    return cycles.cycle_create(
        actor=lnd,
        cohort=cohort,
        phase=phase,
        opens_on=today + opens * DAY,
        closes_on=today + closes * DAY,
        questionnaire=questionnaire,
    )


def _settings(org, **values):
    FeedbackSettings.objects.update_or_create(organization=org, defaults=values)


# --- creating ---------------------------------------------------------------------------


def test_a_new_cycle_is_scheduled_with_no_thresholds_yet(lnd, cohort, questionnaire):
    cycle = _create(lnd, cohort, questionnaire=questionnaire)
    assert (cycle.status, cycle.peer_threshold, cycle.opened_at) == ("scheduled", None, None)
    assert cycle.questionnaire == questionnaire


def test_the_post_cycle_asks_what_the_pre_cycle_asked(lnd, cohort, questionnaire, org):
    pre = _create(lnd, cohort, questionnaire=questionnaire)
    other = small_questionnaire(org)  # the same file, but pretend a newer choice is given
    other.pk = None
    other.version = 9
    other.save()
    post = _create(lnd, cohort, phase="post", opens=60, closes=80, questionnaire=other)
    assert post.questionnaire_id == pre.questionnaire_id


def test_a_cohort_has_one_cycle_per_phase(lnd, cohort, questionnaire):
    _create(lnd, cohort, questionnaire=questionnaire)
    with pytest.raises(ValidationError) as caught:
        _create(lnd, cohort, questionnaire=questionnaire)
    assert caught.value.message_dict == {
        "phase": ["Spring cohort already has a 360 before the program."]
    }


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (5, 5, "The closing date must be after the opening date."),
        (5, 3, "The closing date must be after the opening date."),
        (-10, 0, "The closing date has already passed."),
    ],
)
def test_bad_dates_are_refused_and_nothing_is_created(
    lnd, cohort, questionnaire, opens, closes, message
):
    with pytest.raises(ValidationError) as caught:
        _create(lnd, cohort, opens=opens, closes=closes, questionnaire=questionnaire)
    assert caught.value.message_dict == {"closes_on": [message]}
    assert not FeedbackCycle.objects.exists()


def test_another_organisations_cohort_is_refused(outsider, other_org, cohort, questionnaire):
    small_questionnaire(other_org)
    with pytest.raises(ValidationError) as caught:
        _create(actor_for(outsider, other_org), cohort)
    assert caught.value.message_dict["cohort"] == ["Choose a cohort of this organisation."]


def test_only_an_lnd_manager_creates_cycles(learner, org, cohort, questionnaire):
    with pytest.raises(PermissionDenied):
        _create(actor_for(learner, org), cohort, questionnaire=questionnaire)


# --- opening ----------------------------------------------------------------------------


def test_opening_copies_the_settings_of_that_moment(lnd, pre_cycle, org):
    _settings(org, peer_threshold=5, overall_threshold=7, rater_cap=4, reminder_interval_days=3)
    cycle = cycles.cycle_open(actor=lnd, cycle=pre_cycle)
    assert (
        cycle.status,
        cycle.peer_threshold,
        cycle.direct_report_threshold,
        cycle.stakeholder_threshold,
        cycle.overall_threshold,
        cycle.rater_cap,
        cycle.reminder_interval_days,
    ) == ("open", 5, 3, 3, 7, 4, 3)
    assert cycle.opened_at is not None


def test_later_settings_changes_never_touch_an_open_or_closed_cycle(lnd, pre_cycle, cohort, org):
    opened = cycles.cycle_open(actor=lnd, cycle=pre_cycle)
    closed = cycles.cycle_close(
        actor=lnd, cycle=cycles.cycle_open(actor=lnd, cycle=_create(lnd, cohort, "post", 3, 9))
    )
    cycles.feedback_settings_update(actor=lnd, peer_threshold=6, overall_threshold=9, rater_cap=2)
    for cycle in (opened, closed):
        cycle.refresh_from_db()
        assert (cycle.peer_threshold, cycle.overall_threshold, cycle.rater_cap) == (3, 4, 6)


def test_opening_early_moves_the_opening_date_to_today(lnd, pre_cycle, org):
    cycle = cycles.cycle_open(actor=lnd, cycle=pre_cycle)
    assert cycle.opens_on == org.today()


def test_an_open_cycle_cannot_be_opened_again(lnd, open_cycle):
    with pytest.raises(ValidationError, match="already open"):
        cycles.cycle_open(actor=lnd, cycle=open_cycle)


def test_another_organisations_cycle_is_not_found(outsider, other_org, pre_cycle):
    with pytest.raises(FeedbackCycle.DoesNotExist):
        cycles.cycle_open(actor=actor_for(outsider, other_org), cycle=pre_cycle)
    pre_cycle.refresh_from_db()
    assert pre_cycle.status == "scheduled"


# --- closing ----------------------------------------------------------------------------


def test_closing_early_is_audited_without_answers(lnd, lnd_manager, open_cycle):
    cycle = cycles.cycle_close(actor=lnd, cycle=open_cycle)
    assert (cycle.status, cycle.closed_by) == ("closed", lnd_manager)
    entry = AuditEntry.objects.get(action="feedback360.cycle_closed_early")
    assert entry.actor == lnd_manager
    assert entry.target == "Spring cohort · Before the program"
    assert entry.detail == {"cycle": cycle.pk, "closes_on": cycle.closes_on.isoformat()}


def test_closing_after_the_last_day_is_audited_as_no_early_close(lnd, open_cycle, org):
    FeedbackCycle.objects.filter(pk=open_cycle.pk).update(
        opens_on=org.today() - 2 * DAY, closes_on=org.today() - DAY
    )
    cycles.cycle_close(actor=lnd, cycle=open_cycle)
    assert list(
        AuditEntry.objects.filter(action__startswith="feedback360.cycle_closed").values_list(
            "action", flat=True
        )
    ) == ["feedback360.cycle_closed"]


def test_a_closed_cycle_never_reopens(lnd, open_cycle):
    cycles.cycle_close(actor=lnd, cycle=open_cycle)
    with pytest.raises(ValidationError) as caught:
        cycles.cycle_open(actor=lnd, cycle=open_cycle)
    assert caught.value.messages == ["This cycle is closed, and a closed cycle never reopens."]
    with pytest.raises(ValidationError, match="already closed"):
        cycles.cycle_close(actor=lnd, cycle=open_cycle)
    # Beat does not reopen it either, even with its dates still ahead.
    assert advance_cycles() == {"opened": 0, "closed": 0}
    open_cycle.refresh_from_db()
    assert open_cycle.status == "closed"


def test_a_scheduled_cycle_cannot_be_closed(lnd, pre_cycle):
    with pytest.raises(ValidationError, match="has not opened yet"):
        cycles.cycle_close(actor=lnd, cycle=pre_cycle)


def test_only_an_lnd_manager_closes(coach, org, open_cycle):
    with pytest.raises(PermissionDenied):
        cycles.cycle_close(actor=actor_for(coach, org), cycle=open_cycle)
    open_cycle.refresh_from_db()
    assert open_cycle.status == "open"


# --- beat -------------------------------------------------------------------------------


def test_beat_opens_cycles_on_their_opening_date_and_closes_them_on_their_closing_date(
    lnd, pre_cycle, org
):
    assert advance_cycles() == {"opened": 0, "closed": 0}  # opens in two days
    FeedbackCycle.objects.filter(pk=pre_cycle.pk).update(opens_on=org.today())
    _settings(org, stakeholder_threshold=4)
    assert advance_cycles() == {"opened": 1, "closed": 0}
    pre_cycle.refresh_from_db()
    assert (pre_cycle.status, pre_cycle.stakeholder_threshold) == ("open", 4)
    assert advance_cycles() == {"opened": 0, "closed": 0}  # idempotent
    FeedbackCycle.objects.filter(pk=pre_cycle.pk).update(closes_on=org.today())
    assert advance_cycles() == {"opened": 0, "closed": 0}  # its last day: links still work
    FeedbackCycle.objects.filter(pk=pre_cycle.pk).update(
        opens_on=org.today() - 2 * DAY, closes_on=org.today() - DAY
    )
    assert advance_cycles() == {"opened": 0, "closed": 1}
    pre_cycle.refresh_from_db()
    assert (pre_cycle.status, pre_cycle.closed_by) == ("closed", None)
    assert pre_cycle.closed_at <= timezone.now()
    assert advance_cycles() == {"opened": 0, "closed": 0}
    # Closing on the date is no early close: nothing to audit as one.
    assert not AuditEntry.objects.filter(action="feedback360.cycle_closed_early").exists()


# --- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("peer_threshold", 2, "At least 3: with fewer answers in a group, one rater could"),
        ("direct_report_threshold", 1, "At least 3"),
        ("stakeholder_threshold", 2, "At least 3"),
        ("overall_threshold", 3, "At least 4: the all-raters figure mixes groups"),
        ("rater_cap", 0, "Between 1 and 50."),
        ("reminder_interval_days", 31, "Between 1 and 30."),
        ("peers_min", 9, "The minimum of peers cannot be above the maximum."),
    ],
)
def test_settings_below_a_floor_are_refused_and_nothing_changes(lnd, org, field, value, message):
    with pytest.raises(ValidationError) as caught:
        cycles.feedback_settings_update(actor=lnd, **{field: value})
    assert list(caught.value.message_dict) == [field]
    assert caught.value.message_dict[field][0].startswith(message)
    settings = feedback_settings(organization=org)
    assert (settings.peer_threshold, settings.overall_threshold, settings.peers_min) == (3, 4, 3)


def test_settings_at_the_floors_are_saved_and_audited(lnd, org):
    cycles.feedback_settings_update(actor=lnd, peer_threshold=3, overall_threshold=4, rater_cap=8)
    settings = feedback_settings(organization=org)
    assert settings.rater_cap == 8
    entry = AuditEntry.objects.get(action="feedback360.settings_changed")
    assert entry.detail == {"overall_threshold": 4, "peer_threshold": 3, "rater_cap": 8}
