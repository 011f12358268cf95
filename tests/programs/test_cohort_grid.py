"""The L&D manager's cohort grid: a heatmap with a key, nudging chosen learners by email,
withdrawing after a confirmation, and moving with no cohort chosen in advance."""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from people.models import AuditEntry, MailStatus, OutgoingMail
from programs import selectors, services
from programs.models import Cohort, Enrollment, EnrollmentStatus, ModuleKind
from tests.conftest import actor_for
from tests.factories import EmployeeFactory
from tests.programs.conftest import module_named
from tests.programs.test_cohorts import GRID_QUERIES

BASE = settings.LODESTAR_BASE_URL.rstrip("/")


def _module_link(enrollment, module) -> str:
    return BASE + reverse("learn:module", args=[enrollment.pk, module.pk])


def _nudges():
    # Enrolling the fixtures' learners queued their welcome emails; only nudges count here.
    return OutgoingMail.objects.filter(kind=services.NUDGE_MAIL)


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def welcome_done(enrollment, learner_actor, program):
    # Ten days in: week 1's role-play is overdue, week 2's reflection is open, week 10 locked.
    services.module_complete(
        actor=learner_actor, enrollment=enrollment, module=module_named(program, "Welcome")
    )
    return enrollment


@pytest.fixture
def autumn(lnd, template, org):
    return services.cohort_save(
        actor=lnd,
        program=template,
        name="Autumn",
        start_date=org.today(),
        end_date=None,
        capacity=5,
    )


@pytest.fixture
def autumn_enrollment(lnd, autumn, org):
    [other] = services.enrollment_add(
        actor=lnd,
        cohort=autumn,
        employees=[EmployeeFactory(organization=org, email="autumn@acme.test")],
        notify=False,
    )
    return other


@pytest.fixture
def their_enrollment(outsider, other_org):
    """An active learner of another organisation's cohort."""
    theirs = actor_for(outsider, other_org)
    services.competencies_seed(organization=other_org)
    program = services.program_save(
        actor=theirs, title="Theirs", audience="new_managers", duration_weeks=4
    )
    services.module_save(
        actor=theirs, program=program, title="Hi", kind=ModuleKind.LESSON, release_week=1, body="x"
    )
    cohort = services.cohort_save(
        actor=theirs,
        program=program,
        name="Globex spring",
        start_date=other_org.today(),
        end_date=None,
        capacity=5,
    )
    [enrollment] = services.enrollment_add(
        actor=theirs,
        cohort=cohort,
        employees=[EmployeeFactory(organization=other_org, email="them@globex.test")],
        notify=False,
    )
    return enrollment


# --- Nudges: the service ------------------------------------------------------------------------


def test_a_nudge_emails_each_chosen_learner_a_link_to_their_next_module(
    lnd,
    cohort,
    program,
    welcome_done,
    peer_enrollment,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        nudged = services.cohort_nudge(
            actor=lnd, cohort=cohort, enrollment_ids=[welcome_done.pk, peer_enrollment.pk]
        )
    assert nudged == [welcome_done, peer_enrollment]
    mails = {m.to[0]: m for m in mailoutbox}
    assert set(mails) == {"learner@acme.test", "peer@acme.test"}
    # The learner did the welcome: next is the overdue role-play. The peer starts at the top.
    role_play, welcome = (
        module_named(program, "Feedback role-play"),
        module_named(program, "Welcome"),
    )
    learner_mail, peer_mail = mails["learner@acme.test"], mails["peer@acme.test"]
    assert learner_mail.subject == "Your next step in New managers: Feedback role-play"
    assert _module_link(welcome_done, role_play) in learner_mail.body
    assert peer_mail.subject == "Your next step in New managers: Welcome"
    assert _module_link(peer_enrollment, welcome) in peer_mail.body
    assert sorted(_nudges().values_list("kind", "ids__enrollment_id")) == sorted(
        [("programs.nudge", welcome_done.pk), ("programs.nudge", peer_enrollment.pk)]
    )
    entry = AuditEntry.objects.get(action="cohort.nudged")
    assert (entry.actor, entry.target, entry.detail) == (
        lnd.user,
        "Spring cohort",
        {"cohort_id": cohort.pk, "count": 2},
    )


def test_a_nudge_leaves_out_other_cohorts_other_organisations_and_ended_enrolments(
    lnd,
    cohort,
    enrollment,
    peer_enrollment,
    autumn_enrollment,
    their_enrollment,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    services.enrollment_withdraw(actor=lnd, enrollment=peer_enrollment)
    asked = [enrollment.pk, peer_enrollment.pk, autumn_enrollment.pk, their_enrollment.pk]
    with django_capture_on_commit_callbacks(execute=True):
        nudged = services.cohort_nudge(actor=lnd, cohort=cohort, enrollment_ids=asked)
    assert nudged == [enrollment]
    assert [m.to for m in mailoutbox] == [["learner@acme.test"]]
    assert list(_nudges().values_list("ids", flat=True)) == [{"enrollment_id": enrollment.pk}]


def test_another_organisations_manager_cannot_nudge_our_cohort(
    cohort, enrollment, outsider, other_org
):
    with pytest.raises(Cohort.DoesNotExist):
        services.cohort_nudge(
            actor=actor_for(outsider, other_org), cohort=cohort, enrollment_ids=[enrollment.pk]
        )
    assert not _nudges().exists()
    assert not AuditEntry.objects.filter(action="cohort.nudged").exists()


def test_a_coach_cannot_nudge(cohort, enrollment, coach, org):
    with pytest.raises(PermissionDenied, match="needs the manage programs permission"):
        services.cohort_nudge(
            actor=actor_for(coach, org), cohort=cohort, enrollment_ids=[enrollment.pk]
        )
    assert not _nudges().exists()


def test_a_learner_up_to_date_is_nudged_towards_their_program(
    lnd, cohort, program, enrollment, learner_actor, mailoutbox, django_capture_on_commit_callbacks
):
    for title in ("Welcome", "Feedback role-play", "What did you notice?"):
        services.module_complete(
            actor=learner_actor, enrollment=enrollment, module=module_named(program, title)
        )
    assert selectors.next_module_for(enrollment=enrollment) is None, "week 10 is not released"
    with django_capture_on_commit_callbacks(execute=True):
        services.cohort_nudge(actor=lnd, cohort=cohort, enrollment_ids=[enrollment.pk])
    [mail] = mailoutbox
    assert mail.subject == "Keep going with New managers"
    assert mail.body.rstrip().endswith(BASE + reverse("learn:home"))


def test_a_nudge_sent_after_the_learner_left_is_skipped(
    lnd, cohort, enrollment, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        services.cohort_nudge(actor=lnd, cohort=cohort, enrollment_ids=[enrollment.pk])
    services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    for send in queued:
        send()
    assert mailoutbox == []
    assert _nudges().get().status == MailStatus.SKIPPED


# --- Nudges: the page ---------------------------------------------------------------------------


def test_the_grid_nudges_the_selected_learners(
    client,
    lnd_manager,
    cohort,
    enrollment,
    peer_enrollment,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    client.force_login(lnd_manager)
    grid = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    assert '<button type="submit">Nudge the selected learners</button>' in grid
    for e in (enrollment, peer_enrollment):
        assert (
            f'<input type="checkbox" id="pick-{e.pk}" name="enrollment" value="{e.pk}" '
            'form="nudge-form">' in grid
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programs:cohort_nudge", args=[cohort.pk]),
            {"enrollment": [str(enrollment.pk), str(peer_enrollment.pk)]},
        )
    assert response["Location"] == reverse("programs:cohort_detail", args=[cohort.pk])
    assert _messages(response) == ["Nudged 2 learners."]
    assert sorted(m.to[0] for m in mailoutbox) == ["learner@acme.test", "peer@acme.test"]


def test_the_page_says_who_was_not_nudged(
    client, lnd_manager, cohort, enrollment, autumn_enrollment, their_enrollment
):
    client.force_login(lnd_manager)
    url = reverse("programs:cohort_nudge", args=[cohort.pk])
    nobody = client.post(url, {"enrollment": ["", "abc"]})
    assert _messages(nobody) == ["Choose the learners to nudge first: nobody was nudged."]
    assert not _nudges().exists()
    client.get(nobody["Location"])  # the message is shown, and gone

    some = client.post(
        url,
        {"enrollment": [str(enrollment.pk), str(autumn_enrollment.pk), str(their_enrollment.pk)]},
    )
    assert _messages(some) == [
        "Nudged 1 learner.",
        "2 of the selected were not nudged: only active learners of this cohort who can sign "
        "in are emailed.",
    ]
    assert list(_nudges().values_list("ids", flat=True)) == [{"enrollment_id": enrollment.pk}]


def test_only_this_organisations_lnd_managers_can_nudge_from_the_page(
    client, learner, outsider, cohort, enrollment
):
    url = reverse("programs:cohort_nudge", args=[cohort.pk])
    for user, status in ((learner, 403), (outsider, 404)):
        client.force_login(user)
        assert client.post(url, {"enrollment": [str(enrollment.pk)]}).status_code == status
    assert not _nudges().exists()


# --- Nudges: the API ----------------------------------------------------------------------------


def test_nudge_through_the_api_lists_who_was_left_out(
    client, lnd_manager, cohort, enrollment, autumn_enrollment
):
    client.force_login(lnd_manager)
    response = client.post(
        f"/api/v1/cohorts/{cohort.pk}/nudge/",
        {"enrollment_ids": [enrollment.pk, autumn_enrollment.pk, enrollment.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "nudged": 1,
        "enrollment_ids": [enrollment.pk],
        "ignored_ids": [autumn_enrollment.pk],
    }
    assert list(_nudges().values_list("kind", flat=True)) == ["programs.nudge"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"enrollment_ids": []},
        {"enrollment_ids": "12"},
        {"enrollment_ids": ["abc"]},
        {"enrollment_ids": [0]},
        {"enrollment_ids": [2**63]},
    ],
)
def test_bad_nudge_ids_are_a_400_naming_the_field(client, lnd_manager, cohort, enrollment, payload):
    client.force_login(lnd_manager)
    response = client.post(
        f"/api/v1/cohorts/{cohort.pk}/nudge/", payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["enrollment_ids"]
    assert not _nudges().exists()


def test_the_api_nudge_is_for_this_organisations_lnd_managers(
    client, learner, outsider, cohort, enrollment
):
    for user, status in ((learner, 403), (outsider, 404)):
        client.force_login(user)
        response = client.post(
            f"/api/v1/cohorts/{cohort.pk}/nudge/",
            {"enrollment_ids": [enrollment.pk]},
            content_type="application/json",
        )
        assert response.status_code == status
    assert not _nudges().exists()


# --- Withdraw and move --------------------------------------------------------------------------


def test_withdrawing_asks_first_and_keeps_the_learner_until_confirmed(
    client, lnd_manager, cohort, enrollment
):
    client.force_login(lnd_manager)
    url = reverse("programs:enrollment_withdraw", args=[enrollment.pk])
    grid = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    assert f'<a href="{url}">Withdraw Learner…</a>' in grid, "a link to the question, not a POST"

    page = client.get(url).content.decode()
    assert "<h1>Withdraw Learner from Spring cohort?</h1>" in page
    assert "Their progress is kept" in page
    assert '<button type="submit">Withdraw Learner</button>' in page
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE

    response = client.post(url)
    assert response["Location"] == reverse("programs:cohort_detail", args=[cohort.pk])
    assert _messages(response) == ["Learner withdrawn; their history is kept."]
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.WITHDRAWN


def test_an_ended_enrolment_offers_nothing_to_withdraw(client, lnd, lnd_manager, enrollment):
    services.enrollment_withdraw(actor=lnd, enrollment=enrollment)
    client.force_login(lnd_manager)
    page = client.get(reverse("programs:enrollment_withdraw", args=[enrollment.pk]))
    assert "This enrolment has already ended" in page.content.decode()
    assert "<button" not in page.content.decode().split('<main id="main"')[1]


def test_the_withdraw_question_is_for_this_organisations_lnd_managers(
    client, learner, outsider, enrollment
):
    url = reverse("programs:enrollment_withdraw", args=[enrollment.pk])
    for user, status in ((learner, 403), (outsider, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_the_move_select_starts_with_no_cohort_chosen(
    client, lnd_manager, cohort, enrollment, autumn
):
    client.force_login(lnd_manager)
    grid = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    select = re.search(
        rf'<select id="move-{enrollment.pk}" name="cohort" required>(.*?)</select>', grid, re.S
    )
    assert select, "a required select"
    options = re.findall(r"<option ([^>]*)>([^<]*)</option>", select.group(1))
    assert options == [('value=""', "Choose a cohort"), (f'value="{autumn.pk}"', "Autumn")]


def test_moving_without_choosing_a_cohort_says_so_and_moves_nobody(
    client, lnd_manager, cohort, enrollment, autumn
):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:enrollment_move", args=[enrollment.pk]), {"cohort": ""}
    )
    assert response["Location"] == reverse("programs:cohort_detail", args=[cohort.pk])
    assert _messages(response) == ["Choose the cohort to move Learner to: nobody was moved."]
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACTIVE
    assert not autumn.enrollments.exists()


# --- The heatmap --------------------------------------------------------------------------------


def _cells(html: str, enrollment_pk: int) -> list[tuple[str, str, str]]:
    """(class, glyph, label) of each square in one learner's row."""
    start = html.index(f'id="pick-{enrollment_pk}"')
    row = html[start : html.index("</tr>", start)]
    return re.findall(
        r'<span class="hm (hm-\w+)" title="([^"]*)"><span aria-hidden="true">([^<]*)</span>'
        r'<span class="visually-hidden">\2</span></span>',
        row,
    )


def test_each_square_shows_a_glyph_and_names_its_module_and_status(
    client, lnd_manager, cohort, welcome_done
):
    client.force_login(lnd_manager)
    html = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    assert _cells(html, welcome_done.pk) == [
        ("hm-completed", "Week 1: Welcome: done", "✓"),
        ("hm-overdue", "Week 1: Feedback role-play: open, overdue", "!"),
        ("hm-open", "Week 2: What did you notice?: open", "○"),
        ("hm-locked", "Week 10: Later lesson: not released yet", "·"),
    ]
    legend = re.search(r'<ul class="grid-legend"[^>]*>(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'aria-hidden="true">([^<]+)</span> ([^<]+)</li>', legend) == [
        ("✓", "done"),
        ("◐", "started"),
        ("○", "open"),
        ("!", "overdue (a week after release)"),
        ("·", "not released yet"),
    ]
    assert '<th scope="col" class="hm-col" title="Week 2: What did you notice?">' in html


@pytest.mark.parametrize(("learners", "extra_modules"), [(2, 0), (12, 12)])
def test_grid_queries_grow_neither_with_learners_nor_with_modules(
    client,
    lnd,
    lnd_manager,
    cohort,
    program,
    org,
    learners,
    extra_modules,
    django_assert_num_queries,
):
    cohort.capacity = 50
    cohort.save(update_fields=["capacity"])
    for week in range(1, extra_modules + 1):
        services.module_save(
            actor=lnd,
            program=program,
            title=f"Extra {week}",
            kind=ModuleKind.LESSON,
            release_week=week,
            body="More.",
        )
    services.enrollment_add(
        actor=lnd,
        cohort=cohort,
        employees=EmployeeFactory.create_batch(learners, organization=org),
        notify=False,
    )
    client.force_login(lnd_manager)
    with django_assert_num_queries(GRID_QUERIES):
        response = client.get(reverse("programs:cohort_detail", args=[cohort.pk]))
    assert response.content.decode().count('<td class="hm-cell">') == learners * (4 + extra_modules)


# --- The module form ----------------------------------------------------------------------------


def _fieldsets(html: str) -> dict[str, tuple[str, list[str]]]:
    """data-kind -> (legend, names of the inputs inside)."""
    found = {}
    for kinds, body in re.findall(
        r'<fieldset class="kind-fields" data-kind="([^"]*)"[^>]*>(.*?)</fieldset>', html, re.S
    ):
        legend = re.search(r"<legend>([^<]*)</legend>", body).group(1)
        found[kinds] = (legend, re.findall(r'name="module-([\w]+)"', body))
    return found


def test_the_module_form_groups_each_kinds_own_fields(client, lnd_manager, template):
    client.force_login(lnd_manager)
    html = client.get(reverse("programs:program_detail", args=[template.pk])).content.decode()
    assert _fieldsets(html) == {
        "lesson sbi_practice delegation_practice reflection knowledge_check live_session": (
            "Text: for lessons, reflections, practice, knowledge checks and live sessions",
            ["body"],
        ),
        "scenario": ("Scenario modules only", ["scenario"]),
        "knowledge_check": ("Knowledge checks only", []),
        "live_session": ("Live sessions only", ["session_starts_at", "session_location"]),
    }
    assert 'name="module-kind" data-module-kind' in html
    # The script that hides the other kinds' fieldsets is a static file, never inline.
    assert (
        re.findall(r"<script[^>]*>", html).count('<script src="/static/js/module-form.js" defer>')
        == 1
    )
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_every_module_field_is_on_the_form_once():
    from programs.forms import ModuleForm

    form = ModuleForm()
    first, last = form.shared_fields()
    names = [f.name for f in first + last] + [
        f.name for section in form.kind_sections() for f in section["fields"]
    ]
    assert sorted(names) == sorted(form.fields)


@pytest.mark.parametrize(
    ("kind", "extra", "error"),
    [
        ("lesson", {}, "Write the lesson or the reflection prompt."),
        ("scenario", {"body": "Ignored"}, "Choose the scenario this module plays."),
        (
            "live_session",
            {"session_starts_at": "2026-05-04T10:00"},
            "Say where the session happens: a room or a video link.",
        ),
    ],
)
def test_the_server_still_checks_each_kinds_own_fields(
    client, lnd_manager, template, kind, extra, error
):
    client.force_login(lnd_manager)
    data = {"module-title": "New", "module-kind": kind, "module-release_week": "1"}
    data.update({f"module-{k}": v for k, v in extra.items()})
    data["module-estimated_minutes"] = "15"
    response = client.post(reverse("programs:program_detail", args=[template.pk]), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not template.modules.filter(title="New").exists()


def test_a_knowledge_check_is_saved_with_its_introduction(client, lnd_manager, template):
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:program_detail", args=[template.pk]),
        {
            "module-title": "Quick check",
            "module-kind": "knowledge_check",
            "module-release_week": "3",
            "module-body": "Five questions on feedback.",
            "module-estimated_minutes": "10",
        },
    )
    assert response.status_code == 302
    module = template.modules.get(title="Quick check")
    assert (module.kind, module.body, module.release_week) == (
        "knowledge_check",
        "Five questions on feedback.",
        3,
    )
    page = client.get(reverse("programs:module_edit", args=[module.pk])).content.decode()
    assert "Set the questions" in page
    assert 'data-kind="knowledge_check"' in page


def test_a_live_session_keeps_its_date_and_place(client, lnd_manager, template, org):
    client.force_login(lnd_manager)
    starts = (org.today() + datetime.timedelta(days=30)).isoformat() + "T10:00"
    client.post(
        reverse("programs:program_detail", args=[template.pk]),
        {
            "module-title": "Kick-off",
            "module-kind": "live_session",
            "module-release_week": "1",
            "module-session_starts_at": starts,
            "module-session_location": "Room 4",
            "module-estimated_minutes": "60",
        },
    )
    module = template.modules.get(title="Kick-off")
    assert module.session_location == "Room 4"
    assert module.session_starts_at is not None


# --- Scenario scores ----------------------------------------------------------------------------


@pytest.mark.parametrize("learners", [2, 12])
def test_a_best_scenario_score_is_shown_against_its_scale_in_constant_queries(
    client, lnd, lnd_manager, cohort, program, scenario, org, learners, django_assert_num_queries
):
    from programs import scenario_format
    from programs.models import AttemptStatus, ScenarioAttempt

    cohort.capacity = 50
    cohort.save(update_fields=["capacity"])
    role_play = module_named(program, "Feedback role-play")
    version = scenario.current_version
    low, high = scenario_format.score_range(version.definition)
    enrolled = services.enrollment_add(
        actor=lnd,
        cohort=cohort,
        employees=EmployeeFactory.create_batch(learners, organization=org),
        notify=False,
    )
    ScenarioAttempt.objects.bulk_create(
        ScenarioAttempt(
            enrollment=e,
            module=role_play,
            version=version,
            status=AttemptStatus.FINISHED,
            current_step="",
            total_score=score,
        )
        for e in enrolled
        for score in (low, high - 1)
    )
    client.force_login(lnd_manager)
    with django_assert_num_queries(GRID_QUERIES + 1):  # + the scenario versions scored on
        html = client.get(reverse("programs:cohort_detail", args=[cohort.pk])).content.decode()
    best = f"Week 1: Feedback role-play: open, overdue, best {high - 1} of {low} to {high}"
    assert html.count(f'title="{best}"') == learners
    assert "best score" not in html
    csv_body = client.get(reverse("programs:cohort_progress_csv", args=[cohort.pk]))
    assert f"best {high - 1} of {low} to {high}" in csv_body.content.decode()
