"""A demo scenario module is called what its scenario is called, so the learner's list
and the role-play they open agree."""

import pytest

from people.demo import demo_load
from people.models import Organization
from programs.demo import demo_programs_load
from programs.models import Module, ModuleKind


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key", ["quiet-remote-engineer-one-on-one", "senior-dev-resists-code-review"]
)
def test_a_demo_scenario_module_carries_its_scenarios_title(key):
    demo_load()
    org = Organization.objects.get(slug="acme")
    demo_programs_load(organization=org)
    modules = Module.objects.filter(
        program__organization=org, kind=ModuleKind.SCENARIO, scenario__key=key
    ).select_related("scenario")
    assert modules
    assert {(m.title, m.scenario.title) for m in modules} == {
        (modules[0].scenario.title, modules[0].scenario.title)
    }
