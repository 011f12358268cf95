"""Every page renders for the people it is for, and bad input gets a message, not a 500."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programs import services
from programs.models import Enrollment, Scenario, ScenarioAttempt
from programs.scenario_format import STARTER_YAML
from tests.factories import EmployeeFactory
from tests.programs.conftest import module_named


@pytest.fixture
def as_lnd(client, lnd_manager, lnd):
    client.force_login(lnd_manager)
    return client


def test_lnd_pages_render(as_lnd, program, cohort, scenario, enrollment):
    competency = program.organization.competencies.first()
    module = module_named(program, "Welcome")
    for url, heading in [
        (reverse("home"), "Welcome, Lnd"),
        (reverse("programs:programs"), "Programs"),
        (reverse("programs:program_new"), "New program"),
        (reverse("programs:program_detail", args=[program.pk]), program.title),
        (reverse("programs:program_edit", args=[program.pk]), "Edit program"),
        (reverse("programs:module_edit", args=[module.pk]), module.title),
        (reverse("programs:competencies"), "Competency framework"),
        (reverse("programs:competency_edit", args=[competency.pk]), competency.name),
        (reverse("programs:scenarios"), "Scenario library"),
        (reverse("programs:scenario_detail", args=[scenario.pk]), scenario.title),
        (reverse("programs:cohorts"), "Cohorts"),
        (reverse("programs:cohort_new"), "New cohort"),
        (reverse("programs:cohort_detail", args=[cohort.pk]), cohort.name),
        (reverse("programs:cohort_edit", args=[cohort.pk]), "Edit cohort"),
        (reverse("programs:enrol_picker", args=[cohort.pk]), "Enrol from the roster"),
        (reverse("programs:enrol_csv", args=[cohort.pk]), "Enrol from a CSV"),
        (reverse("follow:learner", args=[enrollment.pk]), enrollment.employee.full_name),
    ]:
        assert f">{heading}</h1>" in as_lnd.get(url).content.decode(), url
    exported = as_lnd.get(reverse("programs:scenario_export", args=[scenario.pk]))
    assert exported.content.decode().startswith(f"key: {scenario.key}")


def test_learner_pages_render(client, learner, enrollment, program, coach):
    client.force_login(learner)
    for title in ["Welcome", "Feedback role-play", "What did you notice?"]:
        url = reverse("learn:module", args=[enrollment.pk, module_named(program, title).pk])
        assert title in client.get(url).content.decode(), title
    assert program.title in client.get(reverse("learn:home")).content.decode()
    practice = client.get(reverse("learn:practice", args=[enrollment.pk])).content.decode()
    assert "Situation" in practice and "Behaviour" in practice
    later = reverse("learn:module", args=[enrollment.pk, module_named(program, "Later lesson").pk])
    assert client.get(later).status_code == 302, "not yet released: back to My program"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "title": "",
                "audience": "new_managers",
                "duration_weeks": "12",
                "cost_per_participant": "0",
            },
            b"This field is required",
        ),
        (
            {
                "title": "X",
                "audience": "new_managers",
                "duration_weeks": "0",
                "cost_per_participant": "0",
            },
            b"greater than or equal to 1",
        ),
        (
            {
                "title": "X",
                "audience": "new_managers",
                "duration_weeks": "abc",
                "cost_per_participant": "0",
            },
            b"Enter a whole number",
        ),
        (
            {
                "title": "X",
                "audience": "nobody",
                "duration_weeks": "4",
                "cost_per_participant": "-5",
            },
            b"Select a valid choice",
        ),
    ],
)
def test_program_form_errors(as_lnd, data, message):
    response = as_lnd.post(reverse("programs:program_new"), data)
    assert response.status_code == 200 and message in response.content


def test_module_form_errors(as_lnd, program):
    url = reverse("programs:program_detail", args=[program.pk])
    response = as_lnd.post(
        url,
        {
            "module-title": "S",
            "module-kind": "scenario",
            "module-release_week": "2",
            "module-estimated_minutes": "10",
        },
    )
    assert b"Choose the scenario this module plays." in response.content
    response = as_lnd.post(
        url,
        {
            "module-title": "L",
            "module-kind": "live_session",
            "module-release_week": "2",
            "module-estimated_minutes": "10",
            "module-scenario": "999999",
        },
    )
    assert b"Select a valid choice. 999999 is not one of the available choices." in response.content
    assert not program.modules.filter(title="L").exists()


def test_cohort_form_errors(as_lnd, program):
    response = as_lnd.post(
        reverse("programs:cohort_new"),
        {
            "name": "C",
            "program": str(program.pk),
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
            "capacity": "5",
        },
    )
    assert b"The cohort must end after it starts." in response.content
    response = as_lnd.post(
        reverse("programs:cohort_new"),
        {"name": "C", "program": "999999", "start_date": "not a date", "capacity": "x"},
    )
    assert response.status_code == 200 and b"Enter a valid date" in response.content


def test_scenario_edit_with_broken_yaml_shows_the_errors(as_lnd, scenario):
    url = reverse("programs:scenario_detail", args=[scenario.pk])
    response = as_lnd.post(url, {"content": "key: small-talk\ntitle: [oops"})
    assert response.status_code == 200 and b"could not be read at line" in response.content
    other = services.scenario_export_yaml(scenario=scenario).replace(
        "key: small-talk", "key: another"
    )
    response = as_lnd.post(url, {"content": other})
    assert b"is for scenario" in response.content


def test_scenario_upload_with_bad_file(as_lnd):
    response = as_lnd.post(
        reverse("programs:scenarios"), {"file": SimpleUploadedFile("s.yaml", b"- a list")}
    )
    assert response.status_code == 200 and b"must be a YAML mapping" in response.content


def test_enrol_picker_errors(as_lnd, cohort, org):
    url = reverse("programs:enrol_picker", args=[cohort.pk])
    response = as_lnd.post(url, {}, follow=True)
    assert b"Choose at least one person" in response.content
    people = EmployeeFactory.create_batch(11, organization=org)
    response = as_lnd.post(url, {"employee": [p.pk for p in people]}, follow=True)
    assert b"10 places left; you chose 11." in response.content
    assert not Enrollment.objects.exists()
    assert as_lnd.get(url + "?team=abc&manager=xyz").status_code == 200

    assert b"10 places left; you chose 11." in response.content
    assert not Enrollment.objects.exists()
    filtered = as_lnd.get(url + "?team=abc&manager=xyz").content.decode()
    assert all(p.full_name in filtered for p in people), "a bad filter is ignored, not a 500"


def test_enrol_csv_with_wrong_encoding_shows_a_message(as_lnd, cohort):
    response = as_lnd.post(
        reverse("programs:enrol_csv", args=[cohort.pk]),
        {"file": SimpleUploadedFile("e.csv", "é@x.test".encode("cp1252"))},
        follow=True,
    )
    assert b"not UTF-8" in response.content


def test_scenario_play_with_junk_input(client, learner, enrollment, program):
    client.force_login(learner)
    module = module_named(program, "Feedback role-play")
    response = client.post(reverse("learn:scenario_start", args=[enrollment.pk, module.pk]))
    attempt_url = response.url
    for data, message in (
        ({}, "That step was already answered"),
        ({"step": "open", "choice": "abc"}, "Choose one of the options."),
        ({"step": "nope", "choice": "0"}, "That step was already answered"),
        ({"step": "open", "choice": "7"}, "Choose one of the options."),
    ):
        assert message in client.post(attempt_url, data, follow=True).content.decode(), data
    assert ScenarioAttempt.objects.get().path == []
    rated = client.post(
        reverse("learn:module_rate", args=[enrollment.pk, module.pk]),
        {"rating": "9"},
        follow=True,
    )
    assert b"Choose a rating from 1 to 5." in rated.content


def test_unknown_ids_are_404(as_lnd):
    for url in [
        "/programs/999999/",
        "/programs/modules/999999/",
        "/programs/cohorts/999999/",
        "/programs/scenarios/999999/",
        "/learners/999999/",
        "/reflections/999999/",
    ]:
        assert as_lnd.get(url).status_code == 404, url
    # Learner pages ask for the learner role first, which this L&D manager lacks.
    for url in ["/learn/999999/practice/", "/learn/attempts/999999/"]:
        response = as_lnd.get(url)
        assert response.status_code == 403, url
        assert b"You do not have access to this page" in response.content


def test_a_new_scenario_is_written_in_the_browser(as_lnd):
    url = reverse("programs:scenario_new")
    assert b"my-new-scenario" in as_lnd.get(url).content
    broken = STARTER_YAML.replace("next: follow-up", "next: missing-step")
    response = as_lnd.post(url, {"content": broken})
    assert b"leads to step" in response.content and not Scenario.objects.exists()
    response = as_lnd.post(
        url, {"content": STARTER_YAML.replace("my-new-scenario", "standup-overrun")}, follow=True
    )
    assert b"published" in response.content
    assert Scenario.objects.get().key == "standup-overrun"
    again = as_lnd.post(
        url, {"content": STARTER_YAML.replace("my-new-scenario", "standup-overrun")}
    )
    assert b"exists already" in again.content


def test_feedback_after_a_choice_names_the_competencies(client, learner, enrollment, program):
    client.force_login(learner)
    module = module_named(program, "Feedback role-play")
    attempt_url = client.post(reverse("learn:scenario_start", args=[enrollment.pk, module.pk])).url
    page = client.post(attempt_url, {"step": "open", "choice": "0"}, follow=True)
    assert b"Private and curious." in page.content
    assert b"Feedback delivery: +2" in page.content and b"Psychological safety: +1" in page.content


def test_enrol_picker_keeps_the_ticks_when_too_many_are_chosen(as_lnd, lnd, cohort, org):
    services.enrollment_add(
        actor=lnd, cohort=cohort, employees=EmployeeFactory.create_batch(2, organization=org)
    )
    chosen = EmployeeFactory.create_batch(10, organization=org)
    url = reverse("programs:enrol_picker", args=[cohort.pk])
    page = as_lnd.post(url, {"employee": [p.pk for p in chosen]}).content.decode()
    assert "8 places left; you chose 10." in page
    ticked = set(map(int, re.findall(r'value="(\d+)" id="emp-\d+" checked', page)))
    assert ticked == {p.pk for p in chosen}
    assert Enrollment.objects.filter(cohort=cohort).count() == 2


@pytest.mark.parametrize("learners", [3, 25])
def test_coach_learner_list_queries_do_not_grow(
    client, lnd, cohort, org, learners, django_assert_num_queries
):
    coach = cohort.coaches.first()
    cohort.capacity = 100
    cohort.save()
    people = EmployeeFactory.create_batch(learners, organization=org)
    Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, employee=p, coach=coach) for p in people
    )
    client.force_login(coach)
    with django_assert_num_queries(7):
        page = client.get(reverse("follow:coach_learners")).content.decode()
    assert all(p.full_name in page for p in people)


def test_the_sbi_builder_labels_its_fields_as_the_help_spells_them(client, learner, enrollment):
    client.force_login(learner)
    practice = client.get(reverse("learn:practice", args=[enrollment.pk])).content.decode()
    assert re.findall(r'<label for="[^"]*behavior">([^<]+)</label>', practice) == ["Behaviour"]
    assert "Behavior" not in practice
