import zoneinfo
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from programs import services
from programs.models import LiveSessionAttendance, ModuleKind, ModuleProgress, ProgressStatus


@pytest.fixture
def live(lnd, program):
    return services.module_save(
        actor=lnd,
        program=program,
        title="Workshop",
        kind=ModuleKind.LIVE_SESSION,
        release_week=1,
        session_location="Room Ada",
    )


def test_facilitator_takes_attendance_and_present_learners_complete_the_session(
    client, lnd, cohort, enrollment, coach, live
):
    cohort.facilitator = coach
    cohort.save()
    client.force_login(coach)
    home = client.get(reverse("home"))
    assert b"take attendance" in home.content
    url = reverse("programs:attendance", args=[cohort.pk, live.pk])
    assert enrollment.employee.full_name.encode() in client.get(url).content
    client.post(url, {"present": [enrollment.pk]})
    assert LiveSessionAttendance.objects.get(enrollment=enrollment).attended
    assert (
        ModuleProgress.objects.get(enrollment=enrollment, module=live).status
        == ProgressStatus.COMPLETED
    )
    client.post(url, {})
    assert not LiveSessionAttendance.objects.get(enrollment=enrollment).attended, (
        "re-taking replaces"
    )


def test_only_the_facilitator_or_lnd_takes_attendance(client, cohort, live, learner, line_manager):
    for user in (learner, line_manager):
        client.force_login(user)
        assert (
            client.get(reverse("programs:attendance", args=[cohort.pk, live.pk])).status_code == 404
        )


def test_attendance_is_only_for_live_sessions(client, lnd_manager, cohort, program):
    client.force_login(lnd_manager)
    lesson = program.modules.get(title="Welcome")
    assert (
        client.get(reverse("programs:attendance", args=[cohort.pk, lesson.pk])).status_code == 404
    )


def test_correcting_attendance_to_absent_undoes_completion(lnd, cohort, enrollment, live):
    services.attendance_record(actor=lnd, cohort=cohort, module=live, attended_ids={enrollment.pk})
    assert ModuleProgress.objects.get(module=live).status == ProgressStatus.COMPLETED
    services.attendance_record(actor=lnd, cohort=cohort, module=live, attended_ids=set())
    assert not ModuleProgress.objects.filter(module=live).exists()
    assert not LiveSessionAttendance.objects.get(module=live, enrollment=enrollment).attended


def test_attendance_is_taken_only_for_this_cohorts_sessions(lnd, cohort, enrollment, template):
    elsewhere = services.module_save(
        actor=lnd,
        program=template,
        title="Template workshop",
        kind=ModuleKind.LIVE_SESSION,
        release_week=1,
        session_location="Room Ada",
    )
    with pytest.raises(ValidationError, match="this cohort's live sessions only"):
        services.attendance_record(
            actor=lnd, cohort=cohort, module=elsewhere, attended_ids={enrollment.pk}
        )
    assert not LiveSessionAttendance.objects.exists()


def test_home_offers_attendance_only_for_sessions_that_have_begun_and_shows_their_dates(
    client, lnd, lnd_manager, cohort, enrollment, live
):
    cohort.facilitator = lnd_manager
    cohort.save()
    session = cohort.program.modules.get(kind=ModuleKind.LIVE_SESSION)
    session.session_starts_at = timezone.now() + timedelta(days=6)
    session.save(update_fields=["session_starts_at"])
    client.force_login(lnd_manager)
    url = reverse("programs:attendance", args=[cohort.pk, session.pk])
    home = client.get(reverse("home")).content.decode()
    when = timezone.localtime(
        session.session_starts_at, zoneinfo.ZoneInfo(cohort.organization.time_zone)
    )
    assert f"{when.day} {when:%b %Y %H:%M}" in home
    assert url not in home and "attendance can be taken once it has begun" in home

    session.session_starts_at = timezone.now() - timedelta(hours=3)
    session.save(update_fields=["session_starts_at"])
    home = client.get(reverse("home")).content.decode()
    assert f'<a href="{url}">take attendance</a>' in home

    services.attendance_record(actor=lnd, cohort=cohort, module=session, attended_ids=set())
    home = client.get(reverse("home")).content.decode()
    assert "attendance recorded: 0 of 1 present" in home
