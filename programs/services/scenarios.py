"""The scenario library: publishing versions, importing and exporting YAML, seeding."""

import logging
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from people.audit import audit_log
from people.models import Organization, User
from people.permissions import Actor, require
from programs import scenario_format
from programs.models import (
    Competency,
    Scenario,
    ScenarioVersion,
)
from programs.services.framework import competencies_seed

logger = logging.getLogger(__name__)
LIBRARY_DIR = Path(__file__).resolve().parents[1] / "content" / "scenarios"


def _known_keys(organization: Organization) -> set[str]:
    return set(Competency.objects.filter(organization=organization).values_list("key", flat=True))


def scenario_spec(scenario: Scenario) -> scenario_format.ScenarioSpec:
    return scenario_format.ScenarioSpec(
        key=scenario.key,
        title=scenario.title,
        summary=scenario.summary,
        competencies=sorted(c.key for c in scenario.competencies.all()),
        estimated_minutes=scenario.estimated_minutes,
        definition=scenario.current_version.definition,
    )


def scenario_export_yaml(*, scenario: Scenario) -> str:
    return scenario_format.to_yaml(scenario_spec(scenario))


@transaction.atomic
def scenario_publish(
    *,
    organization: Organization,
    spec: scenario_format.ScenarioSpec,
    user: User | None,
    is_library: bool = False,
) -> tuple[Scenario, bool]:
    """Stores a checked scenario: a new scenario, or a new version of the one with the
    same key. Attempts already made keep the version they were played on. Returns the
    scenario and whether anything changed (publishing identical content is a no-op)."""
    scenario = (
        Scenario.objects.select_for_update().filter(organization=organization, key=spec.key).first()
    )
    if scenario is None:
        scenario = Scenario.objects.create(
            organization=organization, key=spec.key, title=spec.title, is_library=is_library
        )
    elif (
        scenario.current_version
        and scenario.current_version.definition == spec.definition
        and scenario.title == spec.title
        and scenario.summary == spec.summary
        and scenario.estimated_minutes == spec.estimated_minutes
        and sorted(c.key for c in scenario.competencies.all()) == sorted(spec.competencies)
    ):
        return scenario, False
    number = (scenario.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = ScenarioVersion.objects.create(
        scenario=scenario, number=number, definition=spec.definition, created_by=user
    )
    scenario.title, scenario.summary = spec.title, spec.summary
    scenario.estimated_minutes, scenario.current_version = spec.estimated_minutes, version
    scenario.save()
    scenario.competencies.set(
        Competency.objects.filter(organization=organization, key__in=spec.competencies)
    )
    return scenario, True


def scenario_import(
    *,
    actor: Actor,
    content: bytes | str,
    expected_key: str | None = None,
    must_be_new: bool = False,
) -> tuple[Scenario, bool]:
    """Reads a YAML scenario file and publishes it. Raises ValidationError({"file": [...]})
    listing every problem; nothing is stored unless the whole file is valid."""
    require(actor, "manage_programs")
    try:
        spec = scenario_format.validate(
            scenario_format.parse_yaml(content), known_competencies=_known_keys(actor.organization)
        )
    except scenario_format.ScenarioFileError as exc:
        raise ValidationError({"file": exc.errors}) from None
    if (
        must_be_new
        and Scenario.objects.filter(organization=actor.organization, key=spec.key).exists()
    ):
        raise ValidationError(
            {"file": [f"A scenario with key '{spec.key}' exists already; choose another key."]}
        )
    if expected_key and spec.key != expected_key:
        raise ValidationError(
            {"file": [f"The file is for scenario '{spec.key}', not '{expected_key}'."]}
        )
    scenario, changed = scenario_publish(
        organization=actor.organization, spec=spec, user=actor.user
    )
    if changed:
        audit_log(
            organization=actor.organization,
            actor=actor.user,
            action="scenario.published",
            target=scenario.key,
            detail={"version": scenario.current_version.number},
        )
    return scenario, changed


def scenario_library_load(*, organization: Organization) -> int:
    """Loads Lodestar's shipped scenarios into an organisation. Safe to run again:
    a scenario the organisation already has is left as it is."""
    known = _known_keys(organization)
    have = set(Scenario.objects.filter(organization=organization).values_list("key", flat=True))
    loaded = 0
    for path in sorted(LIBRARY_DIR.glob("*.yaml")):
        spec = scenario_format.validate(
            scenario_format.parse_yaml(path.read_bytes()), known_competencies=known
        )
        if spec.key in have:
            continue
        scenario_publish(organization=organization, spec=spec, user=None, is_library=True)
        loaded += 1
    return loaded


def organization_content_seed(*, organization: Organization) -> None:
    """Everything a new organisation starts with: the framework and the scenario library."""
    competencies_seed(organization=organization)
    scenario_library_load(organization=organization)
