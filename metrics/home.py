"""The metrics app's contribution to the home page (see people.home)."""

from people.home import register_section
from people.permissions import Actor


def _impact(actor: Actor) -> dict | None:
    return {} if actor.is_executive else None


def register() -> None:
    register_section(
        key="metrics.impact", order=60, template="metrics/home/impact.html", context=_impact
    )
