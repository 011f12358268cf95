"""360 cycles and the settings they copy: create, open, close (never reopen).

A cycle is created scheduled; it opens on its opening date (by beat) or when an L&D
manager opens it, and at that moment copies the organisation's anonymity thresholds,
rater cap and reminder interval onto itself, so later changes to the settings never
touch it. It closes on its closing date (by beat) or earlier when an L&D manager
closes it, which is audited. A closed cycle never reopens.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from feedback360.models import (
    OVERALL_THRESHOLD_FLOOR,
    THRESHOLD_FLOOR,
    CyclePhase,
    CycleStatus,
    FeedbackCycle,
    FeedbackSettings,
    Questionnaire,
)
from feedback360.permissions.cycles import can_manage_cycle
from feedback360.selectors.settings import feedback_settings
from people.audit import audit_log
from people.bounds import MAX_DATE, MIN_DATE
from people.events import event_emit
from people.models import Organization
from people.permissions import Actor, require
from programs.models import Cohort

# The fields an organisation sets, with the bounds a form and the API also use.
GROUP_THRESHOLDS = ("peer_threshold", "direct_report_threshold", "stakeholder_threshold")
SETTINGS_BOUNDS = {
    "peer_threshold": (THRESHOLD_FLOOR, 20),
    "direct_report_threshold": (THRESHOLD_FLOOR, 20),
    "stakeholder_threshold": (THRESHOLD_FLOOR, 20),
    "overall_threshold": (OVERALL_THRESHOLD_FLOOR, 40),
    "rater_cap": (1, 50),
    "peers_min": (0, 30),
    "peers_max": (0, 30),
    "direct_reports_max": (0, 50),
    "stakeholders_min": (0, 30),
    "stakeholders_max": (0, 30),
    "reminder_interval_days": (1, 30),
}
# What a cycle copies from the settings when it opens.
COPIED_ON_OPEN = (*GROUP_THRESHOLDS, "overall_threshold", "rater_cap", "reminder_interval_days")


CYCLE_OPENED = "feedback360.cycle_opened"


def _settings_row(*, organization: Organization) -> FeedbackSettings:
    """The organisation's settings row to change, created with the defaults the first time.
    Reads use selectors.settings.feedback_settings, which never writes."""
    settings, _ = FeedbackSettings.objects.get_or_create(organization=organization)
    return settings


def settings_bound_message(name: str, *, below: bool) -> str:
    """What to say when setting `name` is below (`below`) or above its bounds: a floor
    says why, so an L&D manager knows it is a rule and not a whim. Forms and the API use
    it too, so their declared bounds (and the OpenAPI schema) match the service's."""
    low, high = SETTINGS_BOUNDS[name]
    if below and name in GROUP_THRESHOLDS:
        return (
            f"At least {THRESHOLD_FLOOR}: with fewer answers in a group, one rater could work "
            "out another's."
        )
    if below and name == "overall_threshold":
        return (
            f"At least {OVERALL_THRESHOLD_FLOOR}: the all-raters figure mixes groups, so it "
            "needs one answer more than a group."
        )
    return f"Between {low} and {high}."


def _settings_errors(values: dict[str, int]) -> dict[str, str]:
    errors = {}
    for name, value in values.items():
        low, high = SETTINGS_BOUNDS[name]
        if not low <= value <= high:
            errors[name] = settings_bound_message(name, below=value < low)
    for low_name, high_name, label in (
        ("peers_min", "peers_max", "peers"),
        ("stakeholders_min", "stakeholders_max", "stakeholders"),
    ):
        unchecked = low_name in errors or high_name in errors
        if not unchecked and values[low_name] > values[high_name]:
            errors[low_name] = f"The minimum of {label} cannot be above the maximum."
    return errors


def feedback_settings_update(*, actor: Actor, **values: int) -> FeedbackSettings:
    """Saves the organisation's 360 settings. Only fields in SETTINGS_BOUNDS may be
    given; the rest keep their value. Raises ValidationError keyed by field for a
    threshold below its floor (3 per group, 4 overall), a value out of bounds or a
    minimum above its maximum; nothing is saved then. Open and closed cycles keep the
    values they copied."""
    require(actor, "manage_feedback")
    unknown = set(values) - set(SETTINGS_BOUNDS)
    if unknown:
        raise ValueError(f"Unknown settings: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        settings = _settings_row(organization=actor.organization)
        settings = FeedbackSettings.objects.select_for_update().get(pk=settings.pk)
        merged = {name: values.get(name, getattr(settings, name)) for name in SETTINGS_BOUNDS}
        errors = _settings_errors(merged)
        if errors:
            raise ValidationError(errors)
        for name, value in merged.items():
            setattr(settings, name, value)
        settings.updated_at = timezone.now()
        settings.save(update_fields=[*SETTINGS_BOUNDS, "updated_at"])
        audit_log(
            organization=actor.organization,
            actor=actor.user,
            action="feedback360.settings_changed",
            detail={name: merged[name] for name in sorted(values)},
        )
    return settings


def _latest_questionnaires(organization: Organization):
    return Questionnaire.objects.filter(organization=organization).order_by("key", "-version")


def cycle_create(
    *,
    actor: Actor,
    cohort: Cohort,
    phase: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    questionnaire: Questionnaire | None = None,
) -> FeedbackCycle:
    """Schedules a cohort's 360 before (pre) or after (post) its program. A post cycle
    asks what its cohort's pre cycle asked (that questionnaire version, whatever is
    given); otherwise `questionnaire` is used, or the newest version of the first one.

    Raises ValidationError keyed by field: a cohort or questionnaire of another
    organisation, a phase the cohort already has, a closing date not after the opening
    date or already past, a date out of range, or no questionnaire at all."""
    require(actor, "manage_feedback")
    org = actor.organization
    errors: dict[str, str] = {}
    if cohort.organization_id != org.pk:
        errors["cohort"] = "Choose a cohort of this organisation."
    if phase not in CyclePhase.values:
        errors["phase"] = "Choose before or after the program."
    for name, day in (("opens_on", opens_on), ("closes_on", closes_on)):
        if not MIN_DATE <= day <= MAX_DATE:
            errors[name] = "Choose a date between 1900 and 2100."
    if not errors and closes_on <= opens_on:
        errors["closes_on"] = "The closing date must be after the opening date."
    elif not errors and closes_on <= org.today():
        errors["closes_on"] = "The closing date has already passed."
    if questionnaire is not None and questionnaire.organization_id != org.pk:
        errors["questionnaire"] = "Choose a questionnaire of this organisation."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {
            c.phase: c
            for c in FeedbackCycle.objects.select_for_update()
            .filter(cohort=cohort)
            .select_related("questionnaire")
        }
        if phase in existing:
            label = CyclePhase(phase).label.lower()
            raise ValidationError({"phase": f"{cohort.name} already has a 360 {label}."})
        if phase == CyclePhase.POST and CyclePhase.PRE in existing:
            questionnaire = existing[CyclePhase.PRE].questionnaire
        if questionnaire is None:
            questionnaire = _latest_questionnaires(org).first()
        if questionnaire is None:
            raise ValidationError({"questionnaire": "There is no 360 questionnaire to use yet."})
        cycle = FeedbackCycle.objects.create(
            organization=org,
            cohort=cohort,
            phase=phase,
            questionnaire=questionnaire,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        audit_log(
            organization=org,
            actor=actor.user,
            action="feedback360.cycle_created",
            target=str(cycle),
            detail={"cycle": cycle.pk},
        )
    return cycle


def _locked(cycle: FeedbackCycle) -> FeedbackCycle:
    return FeedbackCycle.objects.select_for_update().select_related("organization").get(pk=cycle.pk)


def _open(cycle: FeedbackCycle, *, today: datetime.date) -> None:
    settings = feedback_settings(organization=cycle.organization)
    for name in COPIED_ON_OPEN:
        setattr(cycle, name, getattr(settings, name))
    cycle.status = CycleStatus.OPEN
    cycle.opened_at = timezone.now()
    # Opened early: the roster as of today is who the learner works with now.
    cycle.opens_on = min(cycle.opens_on, today)
    cycle.save(update_fields=[*COPIED_ON_OPEN, "status", "opened_at", "opens_on"])
    # Invitations go out from the event's handler, so opening never waits on mail and a
    # crash after the commit still invites everyone once.
    event_emit(
        name=CYCLE_OPENED,
        actor=None,
        organization=cycle.organization,
        payload={"cycle_id": cycle.pk},
    )


def cycle_open(*, actor: Actor, cycle: FeedbackCycle) -> FeedbackCycle:
    """Opens a scheduled cycle now, before its opening date if need be, copying the
    organisation's current settings onto it. Raises PermissionDenied for anyone but an
    L&D manager of its organisation, ValidationError if it is already open or closed
    (a closed cycle never reopens)."""
    require(actor, "manage_feedback")
    if not can_manage_cycle(actor, cycle):
        raise FeedbackCycle.DoesNotExist
    with transaction.atomic():
        cycle = _locked(cycle)
        if cycle.status == CycleStatus.CLOSED:
            raise ValidationError("This cycle is closed, and a closed cycle never reopens.")
        if cycle.status == CycleStatus.OPEN:
            raise ValidationError("This cycle is already open.")
        _open(cycle, today=cycle.organization.today())
        audit_log(
            organization=cycle.organization,
            actor=actor.user,
            action="feedback360.cycle_opened",
            target=str(cycle),
            detail={"cycle": cycle.pk},
        )
    return cycle


def _close(cycle: FeedbackCycle, *, by=None) -> None:
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = timezone.now()
    cycle.closed_by = by
    cycle.save(update_fields=["status", "closed_at", "closed_by"])


def cycle_close(*, actor: Actor, cycle: FeedbackCycle) -> FeedbackCycle:
    """Closes an open cycle now: no more answers are taken, and it never reopens. An
    audit entry names who closed it and whether that was before its closing date.
    Raises ValidationError if it is not open (scheduled, or already closed)."""
    require(actor, "manage_feedback")
    if not can_manage_cycle(actor, cycle):
        raise FeedbackCycle.DoesNotExist
    with transaction.atomic():
        cycle = _locked(cycle)
        if cycle.status == CycleStatus.CLOSED:
            raise ValidationError("This cycle is already closed.")
        if cycle.status != CycleStatus.OPEN:
            raise ValidationError("This cycle has not opened yet, so there is nothing to close.")
        today = cycle.organization.today()
        _close(cycle, by=actor.user)
        audit_log(
            organization=cycle.organization,
            actor=actor.user,
            action="feedback360.cycle_closed_early"
            if today <= cycle.closes_on
            else "feedback360.cycle_closed",
            target=str(cycle),
            detail={"cycle": cycle.pk, "closes_on": cycle.closes_on.isoformat()},
        )
    return cycle


def cycles_advance_due() -> dict[str, int]:
    """For beat: opens scheduled cycles whose opening date has come and closes open
    cycles whose closing date has come, each by its organisation's own date. Returns
    how many were opened and closed; running it again changes nothing more."""
    # A day of slack either side of UTC covers every time zone; each organisation's
    # own date decides.
    horizon = timezone.now().date() + datetime.timedelta(days=1)
    opened = closed = 0
    due_to_open = FeedbackCycle.objects.filter(
        status=CycleStatus.SCHEDULED, opens_on__lte=horizon
    ).values_list("pk", flat=True)
    for pk in list(due_to_open):
        with transaction.atomic():
            cycle = _locked(FeedbackCycle(pk=pk))
            today = cycle.organization.today()
            if cycle.status == CycleStatus.SCHEDULED and cycle.opens_on <= today:
                _open(cycle, today=today)
                opened += 1
    due_to_close = FeedbackCycle.objects.filter(
        status=CycleStatus.OPEN, closes_on__lt=horizon
    ).values_list("pk", flat=True)
    for pk in list(due_to_close):
        with transaction.atomic():
            cycle = _locked(FeedbackCycle(pk=pk))
            # closes_on is the last day answers are taken (as every link says): close
            # the day after.
            if cycle.status == CycleStatus.OPEN and cycle.closes_on < cycle.organization.today():
                _close(cycle)
                closed += 1
    return {"opened": opened, "closed": closed}
