"""What each person's home page shows, contributed by every app.

A home page opens with a to-do list, then one card per section. Apps register their
sections and their to-do sources in AppConfig.ready(), each deciding from the Actor
whether it has anything to show, so people/ (the lowest floor) assembles the page
without importing any higher app.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from people.permissions import Actor


@dataclass(frozen=True)
class TodoItem:
    """One thing to do now: what, where it is done, and by when if there is a date."""

    text: str
    url: str
    due: datetime.date | None = None
    # Shown as a label beside the item, so colour is never the only signal.
    urgency: str = ""  # "overdue", "due soon" or ""


@dataclass(frozen=True)
class HomeSection:
    key: str
    order: int
    template: str
    # Returns the section's template context, or None when the actor has nothing here.
    context: Callable[[Actor], dict | None]


@dataclass(frozen=True)
class TodoSource:
    key: str
    order: int
    items: Callable[[Actor], list[TodoItem]]


SECTIONS: list[HomeSection] = []
TODO_SOURCES: list[TodoSource] = []


def register_section(
    *, key: str, order: int, template: str, context: Callable[[Actor], dict | None]
) -> None:
    if any(s.key == key for s in SECTIONS):
        return
    SECTIONS.append(HomeSection(key, order, template, context))
    SECTIONS.sort(key=lambda s: s.order)


def register_todo(*, key: str, order: int, items: Callable[[Actor], list[TodoItem]]) -> None:
    if any(s.key == key for s in TODO_SOURCES):
        return
    TODO_SOURCES.append(TodoSource(key, order, items))
    TODO_SOURCES.sort(key=lambda s: s.order)


def todo_items(*, actor: Actor) -> list[TodoItem]:
    """Everything the actor is asked to do, from every app, in registration order."""
    return [item for source in TODO_SOURCES for item in source.items(actor)]


def home_sections(*, actor: Actor) -> list[tuple[HomeSection, dict]]:
    """The sections that have something for this actor, with their context."""
    shown = []
    for section in SECTIONS:
        context = section.context(actor)
        if context is not None:
            shown.append((section, context))
    return shown
