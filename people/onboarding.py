"""A new organisation's getting-started checklist, shown at the top of its L&D managers'
home page until every step is done.

Each step is contributed by the app that owns it (people: import the roster; programs:
review the competencies, build a program, open a cohort), with a check that reads the
database, so a step ticks itself when the work is done wherever it was done, and people/
(the lowest floor) assembles the list without importing any higher app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from people import selectors
from people.home import register_section
from people.permissions import Actor, can_manage_roster


@dataclass(frozen=True)
class OnboardingStep:
    key: str
    order: int
    label: str
    url_name: str
    hint: str
    done: Callable[[Actor], bool]


@dataclass(frozen=True)
class StepState:
    label: str
    url: str
    hint: str
    done: bool


STEPS: list[OnboardingStep] = []


def register_onboarding_step(
    *,
    key: str,
    order: int,
    label: str,
    url_name: str,
    done: Callable[[Actor], bool],
    hint: str = "",
) -> None:
    """Adds a step: `label` links to `url_name`, where the step is done, and `done(actor)`
    says from the database whether it has been. Registering a key twice keeps the first."""
    if any(s.key == key for s in STEPS):
        return
    STEPS.append(OnboardingStep(key, order, label, url_name, hint, done))
    STEPS.sort(key=lambda s: s.order)


def onboarding_checklist(*, actor: Actor) -> list[StepState] | None:
    """Every step with whether it is done, for an L&D manager whose organisation has not
    finished them; None for anyone else, and once all are done. One small query a step."""
    if not can_manage_roster(actor) or not STEPS:
        return None
    states = [
        StepState(label=s.label, url=reverse(s.url_name), hint=s.hint, done=s.done(actor))
        for s in STEPS
    ]
    return None if all(s.done for s in states) else states


def _onboarding_section(actor: Actor) -> dict | None:
    steps = onboarding_checklist(actor=actor)
    if steps is None:
        return None
    return {"steps": steps, "done_count": sum(s.done for s in steps), "total": len(steps)}


def _roster_imported(actor: Actor) -> bool:
    return selectors.roster_has_others(actor=actor)


def register() -> None:
    # Order 0: above every other card, since nothing else works until these are done.
    register_section(
        key="people.onboarding",
        order=0,
        template="people/home/onboarding.html",
        context=_onboarding_section,
    )
    register_onboarding_step(
        key="people.roster",
        order=10,
        label="Import the roster",
        url_name="people:imports",
        hint="Upload a CSV or XLSX of your people, their teams and managers.",
        done=_roster_imported,
    )
