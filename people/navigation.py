"""Navigation entries. Each app registers its own in AppConfig.ready(), naming the
permission that shows it, so people/ never imports a higher app."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    permission: str
    order: int


NAV_ITEMS: list[NavItem] = []


def register_nav(*, url_name: str, label: str, permission: str, order: int) -> None:
    if any(item.url_name == url_name for item in NAV_ITEMS):
        return
    NAV_ITEMS.append(NavItem(url_name, label, permission, order))
    NAV_ITEMS.sort(key=lambda item: item.order)
