"""What the programs app asks people to do: a coach checks in with learners behind
schedule; a learner who finishes a module is pointed at the next one."""

import datetime
import re
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs import services
from programs.models import ModuleProgress, ProgressStatus
from tests.factories import EmployeeFactory
from tests.programs.conftest import module_named


def todo(client, user) -> list[tuple[str, str]]:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    block = html.split('id="todo-heading"', 1)[1].split("</section>", 1)[0]
    return [
        (unescape(text), href)
        for href, text in re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', block)
    ]


def finish(enrollment, *modules):
    for module in modules:
        ModuleProgress.objects.update_or_create(
            enrollment=enrollment, module=module, defaults={"status": ProgressStatus.COMPLETED}
        )


def test_each_coach_is_asked_to_check_in_with_their_own_learners_behind(
    client,
    enrollment,
    peer_enrollment,
    program,
    coach,
    second_coach,
    learner,
    peer_learner,
    line_manager,
    lnd_manager,
):
    # The cohort began ten days ago: week 1's two modules are overdue for both learners.
    assert (enrollment.coach, peer_enrollment.coach) == (coach, second_coach)
    assert todo(client, coach) == [
        (
            f"Check in with {learner.full_name}: 2 modules overdue",
            reverse("follow:learner", args=[enrollment.pk]),
        )
    ]
    assert todo(client, second_coach) == [
        (
            f"Check in with {peer_learner.full_name}: 2 modules overdue",
            reverse("follow:learner", args=[peer_enrollment.pk]),
        )
    ]
    for user in (line_manager, lnd_manager):
        assert not any(text.startswith("Check in with") for text, _ in todo(client, user))

    finish(enrollment, module_named(program, "Welcome"))
    assert todo(client, coach)[0][0] == f"Check in with {learner.full_name}: 1 module overdue"
    finish(enrollment, module_named(program, "Feedback role-play"))
    assert todo(client, coach) == []


def test_a_learner_of_a_finished_cohort_is_no_reason_to_check_in(client, enrollment, coach):
    assert [text for text, _ in todo(client, coach)]
    cohort = enrollment.cohort
    cohort.end_date = cohort.organization.today() - datetime.timedelta(days=1)
    cohort.save(update_fields=["end_date"])
    assert todo(client, coach) == []


def test_the_coachs_learners_behind_cost_the_same_queries_for_two_or_eight(
    client, lnd, cohort, coach, org, django_assert_num_queries
):
    cohort.coaches.set([coach])
    cohort.capacity = 20
    cohort.save(update_fields=["capacity"])
    client.force_login(coach)
    services.enrollment_add(
        actor=lnd,
        cohort=cohort,
        employees=EmployeeFactory.create_batch(2, organization=org),
        notify=False,
    )
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    services.enrollment_add(
        actor=lnd,
        cohort=cohort,
        employees=EmployeeFactory.create_batch(6, organization=org),
        notify=False,
    )
    with django_assert_num_queries(len(small)):
        html = client.get(reverse("home")).content.decode()
    assert html.count(": 2 modules overdue") == 8


def module_page(client, learner, enrollment, module) -> str:
    client.force_login(learner)
    return unescape(
        client.get(reverse("learn:module", args=[enrollment.pk, module.pk])).content.decode()
    )


def test_finishing_a_module_points_to_the_next_unfinished_released_one(
    client, enrollment, program, learner, org
):
    welcome = module_named(program, "Welcome")
    assert "Next module" not in module_page(client, learner, enrollment, welcome), (
        "only once it is done"
    )
    client.post(reverse("learn:module_complete", args=[enrollment.pk, welcome.pk]))
    page = module_page(client, learner, enrollment, welcome)
    roleplay = module_named(program, "Feedback role-play")
    link = reverse("learn:module", args=[enrollment.pk, roleplay.pk])
    assert f'<a class="button" href="{link}">Next module: Feedback role-play</a>' in page


def test_a_learner_who_finished_everything_released_is_up_to_date(
    client, enrollment, program, learner, learner_actor
):
    finish(
        enrollment,
        module_named(program, "Feedback role-play"),
        module_named(program, "What did you notice?"),
    )
    welcome = module_named(program, "Welcome")
    services.module_mark_done(actor=learner_actor, enrollment=enrollment, module=welcome)
    page = module_page(client, learner, enrollment, welcome)
    # "Later lesson" is released in week 10: not yet.
    assert "You're up to date: nothing else is released yet." in page
    assert "Next module" not in page
