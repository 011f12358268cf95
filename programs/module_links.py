"""Links that higher apps add to a module's page (a knowledge check's quiz, say), so
programs never imports them. Register in AppConfig.ready()."""

from collections.abc import Callable

ModuleLink = Callable[
    [object, object], tuple[str, str] | None
]  # (enrollment, module) -> (label, url)
MODULE_LINKS: dict[str, list[ModuleLink]] = {}


def register_module_link(kind: str, link: ModuleLink) -> None:
    MODULE_LINKS.setdefault(kind, []).append(link)


def links_for(enrollment, module) -> list[tuple[str, str]]:
    found = (link(enrollment, module) for link in MODULE_LINKS.get(module.kind, []))
    return [item for item in found if item]
