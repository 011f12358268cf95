"""Navigation entries. Each app registers its own in AppConfig.ready(), naming the
permission that shows it, so people/ never imports a higher app."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    permission: str
    order: int
    # Not shown to someone who holds this permission: another entry already leads there
    # (an L&D manager reaches rater approvals from the 360 cycles), so the menu stays short.
    hidden_by: str = ""


NAV_ITEMS: list[NavItem] = []


def register_nav(
    *, url_name: str, label: str, permission: str, order: int, hidden_by: str = ""
) -> None:
    if any(item.url_name == url_name for item in NAV_ITEMS):
        return
    NAV_ITEMS.append(NavItem(url_name, label, permission, order, hidden_by))
    NAV_ITEMS.sort(key=lambda item: item.order)
