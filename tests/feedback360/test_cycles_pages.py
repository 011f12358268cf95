"""The L&D manager's 360 pages: cycles, response rates (counts only), settings."""

import datetime

import pytest
from django.urls import reverse

from feedback360.models import FeedbackCycle, RaterGroup, RaterStatus
from feedback360.selectors.settings import feedback_settings
from feedback360.services import cycles
from people.home import todo_items
from people.models import AuditEntry
from tests.conftest import actor_for
from tests.feedback360.factories_cycles import add_raters, enrol

pytestmark = pytest.mark.django_db


def _pages(cycle):
    return [
        reverse("feedback360:cycles"),
        reverse("feedback360:cycle_new"),
        reverse("feedback360:cycle_detail", args=[cycle.pk]),
        reverse("feedback360:cycle_close", args=[cycle.pk]),
        reverse("feedback360:settings"),
    ]


def test_lnd_manager_sees_every_page(client, lnd_manager, pre_cycle):
    client.force_login(lnd_manager)
    for url in _pages(pre_cycle):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "persona", ["learner", "peer_learner", "coach", "line_manager", "executive"]
)
def test_other_roles_are_refused_every_page_and_action(client, request, persona, open_cycle):
    client.force_login(request.getfixturevalue(persona))
    for url in _pages(open_cycle):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("feedback360:cycle_close", args=[open_cycle.pk])).status_code == 403
    open_cycle.refresh_from_db()
    assert open_cycle.status == "open"


def test_an_outsider_sees_none_of_our_cycles(client, outsider, other_org, open_cycle):
    client.force_login(outsider)
    response = client.get(reverse("feedback360:cycles"))
    assert list(response.context["cycles"]) == []
    for name in ("cycle_detail", "cycle_close", "cycle_open"):
        url = reverse(f"feedback360:{name}", args=[open_cycle.pk])
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url).status_code == 404, url
    open_cycle.refresh_from_db()
    assert open_cycle.status == "open"


def test_the_list_shows_the_organisations_cycles_with_answer_counts(
    client, lnd_manager, lnd, cohort, enrollment, pre_cycle, outsider, other_org
):
    add_raters(pre_cycle, enrollment, 3)
    add_raters(pre_cycle, enrollment, 1, status=RaterStatus.SUBMITTED)
    add_raters(pre_cycle, enrollment, 2, status=RaterStatus.NOMINATED)
    client.force_login(lnd_manager)
    response = client.get(reverse("feedback360:cycles"))
    assert list(response.context["cycles"]) == [pre_cycle]
    assert "1 of 4" in response.content.decode()
    detail = client.get(reverse("feedback360:cycle_detail", args=[pre_cycle.pk]))
    assert detail.context["cycle"] == pre_cycle


def test_the_response_rate_table_counts_per_learner_and_group(
    client, lnd_manager, open_cycle, enrollment, peer_enrollment
):
    add_raters(open_cycle, enrollment, 2, status=RaterStatus.INVITED)
    add_raters(open_cycle, enrollment, 3, status=RaterStatus.SUBMITTED)
    add_raters(open_cycle, enrollment, 1, group=RaterGroup.MANAGER, status=RaterStatus.SUBMITTED)
    add_raters(open_cycle, enrollment, 1, status=RaterStatus.DECLINED)
    add_raters(open_cycle, enrollment, 1, status=RaterStatus.REMOVED)
    client.force_login(lnd_manager)
    response = client.get(reverse("feedback360:cycle_detail", args=[open_cycle.pk]))
    rates = {r.name: r for r in response.context["rates"]}
    learner = rates[enrollment.employee.full_name]
    # Self, manager, peers, direct reports, stakeholders: answered of asked.
    assert learner.cells() == [(0, 0), (1, 1), (3, 5), (0, 0), (0, 0)]
    assert (learner.answered_total, learner.asked_total, learner.declined) == (4, 6, 1)
    peer = rates[peer_enrollment.employee.full_name]
    assert (peer.answered_total, peer.asked_total) == (0, 0)
    page = response.content.decode()
    assert "4 of 6 raters asked have answered." in page
    assert "3 / 5" in page
    # Counts only: no rater's name is on the page.
    for person in open_cycle.raters.all():
        assert person.name not in page


@pytest.mark.parametrize("raters", [5, 50])
def test_cycle_detail_costs_the_same_queries_for_5_or_50_raters(
    client, lnd_manager, lnd, cohort, open_cycle, enrollment, raters, django_assert_num_queries
):
    for subject in [enrollment, *enrol(lnd, cohort, 4)]:
        add_raters(open_cycle, subject, raters // 5, status=RaterStatus.SUBMITTED)
    client.force_login(lnd_manager)
    url = reverse("feedback360:cycle_detail", args=[open_cycle.pk])
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.context["answered"] == raters


@pytest.mark.parametrize("extra_cohorts", [1, 6])
def test_cycle_list_costs_the_same_queries_for_few_or_many_cycles(
    client, lnd_manager, lnd, template, questionnaire, org, extra_cohorts, django_assert_num_queries
):
    from programs import services as program_services

    today = org.today()
    for n in range(extra_cohorts):
        cohort = program_services.cohort_save(
            actor=lnd,
            program=template,
            name=f"Cohort {n}",
            start_date=today,
            end_date=None,
            capacity=5,
            coach_ids=[],
        )
        cycles.cycle_create(
            actor=lnd,
            cohort=cohort,
            phase="pre",
            opens_on=today,
            closes_on=today + datetime.timedelta(days=9),
            questionnaire=questionnaire,
        )
    client.force_login(lnd_manager)
    client.get(reverse("feedback360:cycles"))
    with django_assert_num_queries(5):
        response = client.get(reverse("feedback360:cycles"))
    assert len(response.context["cycles"]) == extra_cohorts


def test_lnd_manager_schedules_a_cycle_through_the_page(
    client, lnd_manager, cohort, questionnaire, org
):
    client.force_login(lnd_manager)
    today = org.today()
    response = client.post(
        reverse("feedback360:cycle_new"),
        {
            "cohort": cohort.pk,
            "phase": "pre",
            "questionnaire": questionnaire.pk,
            "opens_on": (today + datetime.timedelta(days=1)).isoformat(),
            "closes_on": (today + datetime.timedelta(days=15)).isoformat(),
        },
        follow=True,
    )
    cycle = FeedbackCycle.objects.get(cohort=cohort)
    assert response.redirect_chain[-1][0] == reverse("feedback360:cycle_detail", args=[cycle.pk])
    assert "360 before the program scheduled for Spring cohort" in response.content.decode()


def test_a_cycle_closing_before_it_opens_is_a_field_error_on_the_page(
    client, lnd_manager, cohort, questionnaire, org
):
    client.force_login(lnd_manager)
    today = org.today()
    response = client.post(
        reverse("feedback360:cycle_new"),
        {
            "cohort": cohort.pk,
            "phase": "pre",
            "questionnaire": questionnaire.pk,
            "opens_on": (today + datetime.timedelta(days=5)).isoformat(),
            "closes_on": (today + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "closes_on": ["The closing date must be after the opening date."]
    }
    assert not FeedbackCycle.objects.exists()


def test_another_organisations_cohort_is_not_offered(
    client, lnd_manager, questionnaire, outsider, other_org, org
):
    from programs.models import Cohort, Program

    program = Program.objects.create(organization=other_org, title="Theirs", duration_weeks=4)
    theirs = Cohort.objects.create(
        organization=other_org,
        program=program,
        name="Their cohort",
        capacity=5,
        start_date=org.today(),
        end_date=org.today() + datetime.timedelta(days=28),
    )
    client.force_login(lnd_manager)
    form = client.get(reverse("feedback360:cycle_new")).context["form"]
    assert theirs.pk not in [pk for pk, _ in form.fields["cohort"].choices]
    response = client.post(
        reverse("feedback360:cycle_new"),
        {"cohort": theirs.pk, "phase": "pre", "questionnaire": questionnaire.pk},
    )
    assert "cohort" in response.context["form"].errors
    assert not FeedbackCycle.objects.exists()


def test_opening_from_the_page_shows_the_copied_thresholds(client, lnd_manager, pre_cycle):
    client.force_login(lnd_manager)
    response = client.post(reverse("feedback360:cycle_open", args=[pre_cycle.pk]), follow=True)
    page = response.content.decode()
    assert "is open; it copied today&#x27;s anonymity thresholds" in page
    assert "Peers: at least 3 answers" in page
    assert "All raters except self: at least 4 answers" in page


def test_closing_early_asks_first_then_closes_for_good(client, lnd_manager, open_cycle):
    client.force_login(lnd_manager)
    url = reverse("feedback360:cycle_close", args=[open_cycle.pk])
    confirm = client.get(url).content.decode()
    assert "Close the 360 of Spring cohort now?" in confirm
    assert "A closed cycle never reopens." in confirm
    open_cycle.refresh_from_db()
    assert open_cycle.status == "open"  # asking changes nothing
    response = client.post(url, follow=True)
    assert "is closed; it will not reopen." in response.content.decode()
    open_cycle.refresh_from_db()
    assert open_cycle.status == "closed"
    assert (
        AuditEntry.objects.filter(
            action="feedback360.cycle_closed_early", actor=lnd_manager
        ).count()
        == 1
    )
    # Opening it again from the page is refused with a message, and changes nothing.
    again = client.post(reverse("feedback360:cycle_open", args=[open_cycle.pk]), follow=True)
    assert "a closed cycle never reopens" in again.content.decode()
    open_cycle.refresh_from_db()
    assert open_cycle.status == "closed"


def test_settings_below_the_floor_are_a_field_error_on_the_page(client, lnd_manager, org):
    client.force_login(lnd_manager)
    current = client.get(reverse("feedback360:settings")).context["form"].initial
    response = client.post(
        reverse("feedback360:settings"), {**current, "peer_threshold": 2, "overall_threshold": 3}
    )
    errors = response.context["form"].errors
    assert list(errors) == ["peer_threshold", "overall_threshold"]
    assert errors["peer_threshold"][0].startswith("At least 3")
    assert errors["overall_threshold"][0].startswith("At least 4")
    assert feedback_settings(organization=org).peer_threshold == 3
    saved = client.post(
        reverse("feedback360:settings"), {**current, "peer_threshold": 5}, follow=True
    )
    assert "360 settings saved." in saved.content.decode()
    assert feedback_settings(organization=org).peer_threshold == 5


def test_the_lnd_manager_is_asked_to_open_a_due_cycle_and_chase_a_closing_one(
    lnd, cohort, enrollment, questionnaire, org, coach
):
    today = org.today()
    due = cycles.cycle_create(
        actor=lnd,
        cohort=cohort,
        phase="pre",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=5),
        questionnaire=questionnaire,
    )
    assert [i.text for i in todo_items(actor=lnd) if "360" in i.text] == [
        "Open the 360 before the program of Spring cohort"
    ]
    cycles.cycle_open(actor=lnd, cycle=due)
    add_raters(due, enrollment, 4)
    add_raters(due, enrollment, 1, status=RaterStatus.SUBMITTED)
    items = [i for i in todo_items(actor=lnd) if "360" in i.text]
    assert [(i.text, i.due, i.urgency) for i in items] == [
        (
            "The 360 of Spring cohort closes soon with 1 of 5 raters answered",
            today + datetime.timedelta(days=5),
            "due soon",
        )
    ]
    assert not [i for i in todo_items(actor=actor_for(coach, org)) if "360" in i.text]
