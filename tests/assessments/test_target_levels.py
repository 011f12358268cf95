"""Building a program asks for its target levels; a cohort's copy carries them, and
editing one never rewrites the other."""

import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import services
from assessments.models import TargetLevel
from programs import services as program_services


def _text(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))


def _targets(program) -> dict[str, Decimal]:
    return dict(
        TargetLevel.objects.filter(program=program).values_list("competency__key", "target")
    )


@pytest.fixture
def built(lnd, org):
    """A template targeting delegation and communication, as the program form saves it."""
    return program_services.program_save(
        actor=lnd,
        title="Team leads",
        audience="new_managers",
        duration_weeks=6,
        competency_ids=list(
            org.competencies.filter(key__in=["delegation", "communication"]).values_list(
                "pk", flat=True
            )
        ),
    )


def _cohort(lnd, program, org, name):
    return program_services.cohort_save(
        actor=lnd, program=program, name=name, start_date=org.today(), end_date=None, capacity=5
    )


def test_each_chosen_competency_gets_a_target_and_the_cohort_copies_it(lnd, built, org):
    assert _targets(built) == {"delegation": Decimal("4.0"), "communication": Decimal("4.0")}
    delegation = org.competencies.get(key="delegation")
    services.target_set(actor=lnd, program=built, competency=delegation, target=Decimal("3.5"))
    spring = _cohort(lnd, built, org, "Spring")
    assert _targets(spring.program) == {
        "delegation": Decimal("3.5"),
        "communication": Decimal("4.0"),
    }

    services.target_set(actor=lnd, program=built, competency=delegation, target=Decimal("5"))
    assert _targets(spring.program)["delegation"] == Decimal("3.5"), "running cohort keeps its own"
    autumn = _cohort(lnd, built, org, "Autumn")
    services.target_set(
        actor=lnd, program=autumn.program, competency=delegation, target=Decimal("2.5")
    )
    assert _targets(built)["delegation"] == Decimal("5.0")
    assert _targets(spring.program)["delegation"] == Decimal("3.5")
    assert _targets(autumn.program)["delegation"] == Decimal("2.5")


def test_a_target_is_a_level_in_half_steps(lnd, built, org):
    with pytest.raises(ValidationError, match=r"in steps of 0\.5"):
        services.target_set(
            actor=lnd,
            program=built,
            competency=org.competencies.get(key="delegation"),
            target=Decimal("4.3"),
        )


def test_building_a_program_asks_for_its_target_levels(client, lnd_manager, lnd, org):
    delegation = org.competencies.get(key="delegation")
    client.force_login(lnd_manager)
    response = client.post(
        reverse("programs:program_new"),
        {
            "title": "Team leads",
            "audience": "new_managers",
            "duration_weeks": 6,
            "description": "",
            "cost_per_participant": "0",
            "competencies": [str(delegation.pk)],
        },
        follow=True,
    )
    page = _text(response)
    assert "Program 'Team leads' created. Next: target levels." in page
    assert "You are editing the target levels of the template Team leads." in page
    assert f'name="c{delegation.pk}" value="4.0"' in response.content.decode()
    program = response.context["program"]

    refused = client.post(
        reverse("assessments:targets", args=[program.pk]), {f"c{delegation.pk}": "4.3"}
    )
    assert "Ensure this value is a multiple of step size 0.5" in refused.content.decode()
    saved = client.post(
        reverse("assessments:targets", args=[program.pk]),
        {f"c{delegation.pk}": "4.5"},
        follow=True,
    )
    assert "Target levels saved for the template" in saved.content.decode()
    assert _targets(program) == {"delegation": Decimal("4.5")}


def test_a_cohort_copy_targets_page_says_whose_levels_they_are(
    client, lnd_manager, lnd, built, org
):
    spring = _cohort(lnd, built, org, "Spring")
    client.force_login(lnd_manager)
    page = _text(client.get(reverse("assessments:targets", args=[spring.program.pk])))
    assert "You are editing the target levels of Spring's own copy of Team leads." in page
    assert "Changes here affect this cohort only" in page


def test_programs_list_counts_the_cohorts_running_each_template(
    client, lnd_manager, lnd, built, org
):
    _cohort(lnd, built, org, "Spring")
    _cohort(lnd, built, org, "Autumn")
    client.force_login(lnd_manager)
    page = client.get(reverse("programs:programs")).content.decode()
    row = page[page.index("Team leads</a>") :]
    row = row[: row.index("</tr>")]
    assert row.endswith('<td class="num">2</td>')
