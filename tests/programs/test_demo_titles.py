"""A demo scenario module is called what its scenario is called, so the learner's list
and the role-play they open agree."""

import pytest

from people.demo import demo_load
from people.models import Organization
from programs.demo import demo_programs_load
from programs.models import Module, ModuleKind


@pytest.mark.django_db
def test_every_demo_scenario_module_carries_its_scenarios_title():
    demo_load()
    org = Organization.objects.get(slug="acme")
    demo_programs_load(organization=org)
    modules = list(
        Module.objects.filter(program__organization=org, kind=ModuleKind.SCENARIO).select_related(
            "scenario"
        )
    )
    assert len({m.scenario_id for m in modules}) >= 4
    assert [m.title for m in modules if m.title != m.scenario.title] == []
