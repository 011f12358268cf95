"""Steps that higher apps add to a program's page (assessments' target levels, say), so
programs never imports them. Register in AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgramLink:
    link: Callable[[object], tuple[str, str] | None]  # program -> (label, url)
    # Shown straight after a program is created, so building one asks for it.
    after_create: bool = False


PROGRAM_LINKS: list[ProgramLink] = []


def register_program_link(
    link: Callable[[object], tuple[str, str] | None], *, after_create: bool = False
) -> None:
    PROGRAM_LINKS.append(ProgramLink(link=link, after_create=after_create))


def links_for(program) -> list[tuple[str, str]]:
    found = (entry.link(program) for entry in PROGRAM_LINKS)
    return [item for item in found if item]


def step_after_create(program) -> tuple[str, str] | None:
    for entry in PROGRAM_LINKS:
        if entry.after_create and (item := entry.link(program)):
            return item
    return None
