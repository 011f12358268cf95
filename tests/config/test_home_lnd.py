"""The L&D manager's home: what is waiting in assessments and programs, and a new
organisation's getting-started checklist. Nobody else sees any of it."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from assessments.models import Assessment
from assessments.selectors import RoundProgress, _round_is_behind
from people.models import Employee
from programs import services
from programs.models import Audience, EnrollmentImportStatus
from tests.assessments.conftest import answer_all
from tests.conftest import actor_for
from tests.factories import EmployeeFactory


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def todo(html: str) -> list[str]:
    block = html.split('id="todo-heading"', 1)[1].split("</section>", 1)[0]
    return [
        unescape(re.sub(r"\s+", " ", t).strip())
        for t in re.findall(r"<li><a [^>]*>([^<]+)</a>", block)
    ]


def todo_links(html: str) -> list[str]:
    block = html.split('id="todo-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="([^"]+)">', block)


def checklist(html: str) -> list[tuple[str, str]] | None:
    """(state, step) per step of the getting-started card, or None when it is not shown."""
    if 'id="onboarding-heading"' not in html:
        return None
    block = html.split('id="onboarding-heading"', 1)[1].split("</section>", 1)[0]
    return [
        (state, unescape(label))
        for state, label in re.findall(
            r'<li class="step-(done|todo)">.*?<a href="[^"]+">([^<]+)</a>', block
        )
    ]


def day_month(day: datetime.date) -> str:
    return f"{day.day} {day:%B}"


# --- Assessment rounds behind -----------------------------------------------------------


def progress(opens: int, closes: int, asked: int, submitted: int) -> RoundProgress:
    today = datetime.date(2025, 3, 10)
    return RoundProgress(
        cohort_id=1,
        cohort_name="Spring",
        phase="baseline",
        opens_on=today + datetime.timedelta(days=opens),
        closes_on=today + datetime.timedelta(days=closes),
        asked=asked,
        submitted=submitted,
    )


TODAY = datetime.date(2025, 3, 10)


@pytest.mark.parametrize(
    ("opens", "closes", "asked", "submitted", "behind"),
    [
        # Half the window gone (10 of 20 days), under 60% submitted: behind.
        (-10, 10, 10, 5, True),
        # Exactly 60% is not under it.
        (-10, 10, 10, 6, False),
        # Not yet half gone (9 of 20 days), however few submitted, and over a week left.
        (-9, 11, 10, 0, False),
        # Closing in 7 days (today counts) with anyone missing: behind even at 90%.
        (-1, 7, 10, 9, True),
        # Eight days left and only just begun: not yet.
        (0, 8, 10, 0, False),
        # Closing today with one missing.
        (-20, 0, 10, 9, True),
        # Everyone submitted: never behind.
        (-20, 0, 10, 10, False),
        # Closed yesterday, or not open yet: not a to-do.
        (-20, -1, 10, 0, False),
        (1, 5, 10, 0, False),
    ],
)
def test_a_round_is_behind_by_the_one_rule(opens, closes, asked, submitted, behind):
    assert _round_is_behind(progress(opens, closes, asked, submitted), TODAY) is behind


@pytest.fixture
def round_closing(lnd, cohort, enrollment, peer_enrollment, org):
    """A baseline round for the learner and the peer, closing in three days: three
    assessments (the peer has no manager)."""
    assessment_services.assessment_round_open(
        actor=lnd,
        cohort=cohort,
        phase="baseline",
        opens_on=org.today() - datetime.timedelta(days=4),
        closes_on=org.today() + datetime.timedelta(days=3),
    )
    return cohort


def test_the_lnd_manager_is_asked_to_chase_a_round_behind_until_everyone_submits(
    client, round_closing, lnd_manager, learner, peer_learner, line_manager, org
):
    html = page(client, lnd_manager)
    assert todo(html) == ["Baseline assessments for Spring cohort: 0 of 3 submitted"]
    assert todo_links(html) == [reverse("assessments:cohort_round", args=[round_closing.pk])]
    assert ">due soon</span>" in html
    closes = org.today() + datetime.timedelta(days=3)
    assert f"by {closes.day} {closes:%b}" in html

    for user in (learner, peer_learner):
        answer_all(actor_for(user, org), Assessment.objects.get(rater=user), lambda item: 3)
    assert todo(page(client, lnd_manager)) == [
        "Baseline assessments for Spring cohort: 2 of 3 submitted"
    ]
    answer_all(
        actor_for(line_manager, org), Assessment.objects.get(rater=line_manager), lambda i: 4
    )
    assert todo(page(client, lnd_manager)) == []


def test_a_round_with_time_left_is_not_on_the_list(
    client, lnd, cohort, enrollment, lnd_manager, org
):
    assessment_services.assessment_round_open(
        actor=lnd,
        cohort=cohort,
        phase="baseline",
        opens_on=org.today(),
        closes_on=org.today() + datetime.timedelta(days=20),
    )
    assert todo(page(client, lnd_manager)) == []


def test_a_withdrawn_learners_assessments_do_not_hold_a_round_back(
    client, lnd, round_closing, peer_enrollment, lnd_manager, learner, line_manager, org
):
    for user in (learner, line_manager):
        answer_all(actor_for(user, org), Assessment.objects.get(rater=user), lambda item: 3)
    services.enrollment_withdraw(actor=lnd, enrollment=peer_enrollment)
    assert todo(page(client, lnd_manager)) == []


# --- Enrolment files awaiting commit ----------------------------------------------------


def test_an_enrolment_file_ready_to_enrol_is_on_the_list_until_enrolled(
    client, lnd, cohort, lnd_manager, org
):
    people = EmployeeFactory.create_batch(2, organization=org)
    content = "email\n" + "".join(f"{p.email}\n" for p in people)
    batch = services.enrollment_import_start(
        actor=lnd, cohort=cohort, filename="april.csv", content=content.encode()
    )
    assert batch.status == EnrollmentImportStatus.PREVIEW
    html = page(client, lnd_manager)
    assert todo(html) == ["Enrol 2 learners from april.csv into Spring cohort"]
    assert todo_links(html) == [reverse("programs:enrol_csv_preview", args=[cohort.pk, batch.pk])]

    services.enrollment_import_commit(actor=lnd, enrollment_import=batch)
    assert todo(page(client, lnd_manager)) == []


def test_a_discarded_or_invalid_enrolment_file_is_not_on_the_list(
    client, lnd, cohort, lnd_manager, org
):
    person = EmployeeFactory(organization=org)
    batch = services.enrollment_import_start(
        actor=lnd, cohort=cohort, filename="one.csv", content=f"{person.email}\n".encode()
    )
    services.enrollment_import_discard(actor=lnd, enrollment_import=batch)
    invalid = services.enrollment_import_start(
        actor=lnd, cohort=cohort, filename="bad.csv", content=b"nobody@nowhere.test\n"
    )
    assert invalid.status == EnrollmentImportStatus.INVALID
    assert todo(page(client, lnd_manager)) == []


# --- Cohorts starting soon --------------------------------------------------------------


def test_cohorts_starting_within_two_weeks_say_what_they_lack(
    client, lnd, template, coach, lnd_manager, org
):
    today = org.today()

    def open_cohort(name, days, coaches=()):
        return services.cohort_save(
            actor=lnd,
            program=template,
            name=name,
            start_date=today + datetime.timedelta(days=days),
            end_date=None,
            capacity=10,
            coach_ids=[c.pk for c in coaches],
        )

    empty = open_cohort("Empty", 14)
    open_cohort("Too far", 15)
    open_cohort("Started", -1)
    ready = open_cohort("Ready", 0, coaches=[coach])
    services.enrollment_add(actor=lnd, cohort=ready, employees=[EmployeeFactory(organization=org)])
    # The cohort's one coach is these learners' line manager, so may not coach them.
    uncoached = open_cohort("Uncoached", 3, coaches=[coach])
    services.enrollment_add(
        actor=lnd,
        cohort=uncoached,
        employees=EmployeeFactory.create_batch(
            2, organization=org, manager=Employee.objects.get(user=coach)
        ),
    )

    html = page(client, lnd_manager)
    assert todo(html) == [
        f"Ready starts on {day_month(today)} with 1 learner",
        f"Uncoached starts on {day_month(today + datetime.timedelta(days=3))}: "
        "2 learners without a coach",
        f"Empty starts on {day_month(today + datetime.timedelta(days=14))}: "
        "no learners yet, no coach",
    ]
    assert todo_links(html)[2] == reverse("programs:cohort_detail", args=[empty.pk])
    # The label says it too, so colour is not the only sign: two cohorts lack something.
    assert html.count(">due soon</span>") == 2


def test_nobody_but_the_lnd_manager_sees_these_items(
    client, round_closing, lnd, learner, peer_learner, line_manager, coach, executive, org
):
    services.enrollment_import_start(
        actor=lnd,
        cohort=round_closing,
        filename="may.csv",
        content=f"{EmployeeFactory(organization=org).email}\n".encode(),
    )
    for user in (learner, peer_learner, line_manager, coach, executive):
        items = todo(page(client, user))
        assert not any("Spring cohort:" in i or "may.csv" in i for i in items), (user, items)


def test_another_organisations_lnd_manager_sees_none_of_ours(client, round_closing, outsider):
    assert todo(page(client, outsider)) == []


# --- The getting-started checklist ------------------------------------------------------

STEPS = ["Import the roster", "Review the competencies", "Build a program", "Open a cohort"]


@pytest.fixture
def fresh_lnd(lnd_manager, org):
    """A new organisation: the framework seeded, and nobody on the roster but its first
    L&D manager."""
    services.competencies_seed(organization=org)
    return actor_for(lnd_manager, org)


def test_a_new_organisation_ticks_each_step_from_what_it_has_done(
    client, fresh_lnd, lnd_manager, org
):
    assert checklist(page(client, lnd_manager)) == [("todo", step) for step in STEPS]

    EmployeeFactory(organization=org)
    assert checklist(page(client, lnd_manager))[0] == ("done", "Import the roster")

    services.framework_mark_reviewed(actor=fresh_lnd)
    program = services.program_save(
        actor=fresh_lnd, title="First", audience=Audience.NEW_MANAGERS, duration_weeks=4
    )
    html = page(client, lnd_manager)
    assert checklist(html) == [
        ("done", "Import the roster"),
        ("done", "Review the competencies"),
        ("done", "Build a program"),
        ("todo", "Open a cohort"),
    ]
    assert "3 of 4 steps done" in html
    assert f'<a href="{reverse("programs:cohort_new")}">Open a cohort</a>' in html

    services.cohort_save(
        actor=fresh_lnd,
        program=program,
        name="First cohort",
        start_date=org.today() + datetime.timedelta(days=30),
        end_date=None,
        capacity=5,
    )
    assert checklist(page(client, lnd_manager)) is None


def test_each_step_links_to_where_it_is_done(client, fresh_lnd, lnd_manager):
    html = page(client, lnd_manager)
    block = html.split('id="onboarding-heading"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<a href="([^"]+)">', block) == [
        reverse("people:imports"),
        reverse("programs:competencies"),
        reverse("programs:program_new"),
        reverse("programs:cohort_new"),
    ]


def test_editing_a_competency_counts_as_reviewing_the_framework(client, fresh_lnd, lnd_manager):
    competency = fresh_lnd.organization.competencies.first()
    services.competency_save(
        actor=fresh_lnd, competency=competency, name="Listening", description=""
    )
    assert ("done", "Review the competencies") in checklist(page(client, lnd_manager))


def test_retiring_a_competency_counts_as_reviewing_the_framework(client, fresh_lnd, lnd_manager):
    competency = fresh_lnd.organization.competencies.first()
    services.competency_set_retired(actor=fresh_lnd, competency=competency, retired=True)
    assert ("done", "Review the competencies") in checklist(page(client, lnd_manager))


def test_the_framework_is_marked_reviewed_from_its_page(client, fresh_lnd, lnd_manager):
    client.force_login(lnd_manager)
    competencies = client.get(reverse("programs:competencies")).content.decode()
    assert "Mark the framework reviewed" in competencies
    response = client.post(reverse("programs:framework_reviewed"), follow=True)
    html = response.content.decode()
    assert "Competency framework marked as reviewed." in html
    assert "Reviewed on " in html and "by Lnd" in html
    assert ("done", "Review the competencies") in checklist(page(client, lnd_manager))


def test_only_a_programs_manager_may_mark_the_framework_reviewed(
    client, fresh_lnd, executive, lnd_manager
):
    client.force_login(executive)
    assert client.post(reverse("programs:framework_reviewed")).status_code == 403
    assert ("todo", "Review the competencies") in checklist(page(client, lnd_manager))


def test_other_roles_never_see_the_checklist(
    client, fresh_lnd, executive, learner, coach, line_manager
):
    for user in (executive, learner, coach, line_manager):
        assert checklist(page(client, user)) is None, user


def test_an_established_organisation_sees_no_checklist(
    client, lnd, cohort, enrollment, lnd_manager
):
    services.framework_mark_reviewed(actor=lnd)
    assert checklist(page(client, lnd_manager)) is None
