"""Home pages are assembled from what each app registers: each persona sees their own
cards and to-do items, and nobody else's."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from assessments import services as assessment_services
from people.models import ImportStatus, RosterImport
from programs import services
from tests.factories import EmployeeFactory
from tests.programs.conftest import module_named


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def headings(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", html)]


def todo(html: str) -> list[str]:
    block = html.split('id="todo-heading"', 1)[1].split("</section>", 1)[0]
    return [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<li><a [^>]*>([^<]+)</a>", block)]


@pytest.fixture
def world(lnd, cohort, enrollment, peer_enrollment, org, lnd_manager):
    assessment_services.assessment_round_open(
        actor=lnd, cohort=cohort, phase="baseline", opens_on=org.today(), closes_on=org.today()
    )
    RosterImport.objects.create(
        organization=org,
        uploaded_by=lnd_manager,
        filename="march.csv",
        content=b"",
        status=ImportStatus.PREVIEW,
    )
    return enrollment


def test_each_persona_sees_their_own_cards(
    client, world, learner, coach, line_manager, lnd_manager, executive
):
    assert headings(page(client, learner)) == ["To do", "My program"]
    assert headings(page(client, coach)) == ["To do", "Coaching"]
    assert headings(page(client, line_manager)) == [
        "To do",
        "Your direct reports",
        "Your reports in a program",
    ]
    # The organisation has not marked its competency framework reviewed: onboarding shows.
    assert headings(page(client, lnd_manager)) == [
        "To do",
        "Getting started",
        "Cohorts",
        "Learning & development",
    ]
    assert headings(page(client, executive)) == ["To do", "Program impact"]


def test_each_persona_sees_their_own_to_do_items(
    client, world, learner, line_manager, lnd_manager, coach, program
):
    learner_todo = todo(page(client, learner))
    # Week 1's modules are overdue (the cohort began ten days ago), then week 2's, then
    # their own self-assessment (about nobody else).
    assert learner_todo[:3] == ["Welcome", "Feedback role-play", "What did you notice?"]
    assert len(learner_todo) == 4 and learner_todo[3].startswith("Fill in the ")
    assert " for " not in learner_todo[3]
    assert page(client, learner).count(">overdue</span>") == 2
    manager_todo = todo(page(client, line_manager))
    assert len(manager_todo) == 1 and manager_todo[0].startswith(
        f"Assess {world.employee.full_name}: "
    )
    assert todo(page(client, lnd_manager)) == [
        "Baseline assessments for Spring cohort: 0 of 3 submitted",
        "Review the roster file march.csv and import it",
    ]
    # Week 1's two modules are overdue for the coach's learner (the peer has another coach).
    assert todo(page(client, coach)) == [
        f"Check in with {world.employee.full_name}: 2 modules overdue"
    ]


def test_a_done_module_leaves_the_to_do_list(client, world, learner, learner_actor, program):
    services.module_mark_done(
        actor=learner_actor, enrollment=world, module=module_named(program, "Welcome")
    )
    assert "Welcome" not in todo(page(client, learner))


def test_the_coach_sees_every_coachee_not_the_first_ten(client, lnd, cohort, coach, org):
    cohort.coaches.set([coach])
    cohort.capacity = 20
    cohort.save(update_fields=["capacity"])
    people = EmployeeFactory.create_batch(12, organization=org)
    services.enrollment_add(actor=lnd, cohort=cohort, employees=people, notify=False)
    html = page(client, coach)
    assert all(p.full_name in html for p in people)


def coaching_card(html: str) -> tuple[list[str], list[str]]:
    """(learners of running cohorts, learners under 'Finished cohorts') on the coach's card."""
    card = html.split('id="coach-heading"', 1)[1].split("</section>", 1)[0]
    running, _, finished = card.partition("<details>")
    names = r'<li><a href="[^"]+">([^<]+)</a>'
    return re.findall(names, running), re.findall(names, finished)


def test_a_finished_cohorts_learners_are_folded_away_on_the_coach_home(
    client, lnd, cohort, enrollment, coach, learner_employee, org
):
    cohort.coaches.set([coach])
    enrollment.coach = coach
    enrollment.save(update_fields=["coach"])
    html = page(client, coach)
    assert coaching_card(html) == ([learner_employee.full_name], [])

    cohort.start_date = org.today() - datetime.timedelta(weeks=20)
    cohort.end_date = org.today() - datetime.timedelta(days=1)
    cohort.save(update_fields=["start_date", "end_date"])
    html = page(client, coach)
    assert coaching_card(html) == ([], [learner_employee.full_name])
    assert "Finished cohorts (1 learner)" in html
    assert "None of your learners is in a running cohort." in html
