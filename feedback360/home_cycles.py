"""The L&D manager's 360 to-dos: cycles waiting to be opened, and cycles closing soon
with few answers."""

from django.urls import reverse

from feedback360.permissions.cycles import can_manage_feedback
from feedback360.selectors import cycles as selectors
from people.home import TodoItem
from people.permissions import Actor

CLOSING_SOON_DAYS = 7
# Below this share of raters answered, a cycle closing soon needs a push.
LOW_RESPONSE_PERCENT = 60


def cycle_todos(actor: Actor) -> list[TodoItem]:
    if not can_manage_feedback(actor):
        return []
    today = actor.organization.today()
    items = [
        TodoItem(
            text=f"Open the 360 {c.get_phase_display().lower()} of {c.cohort.name}",
            url=reverse("feedback360:cycle_detail", args=[c.pk]),
            due=c.opens_on,
            urgency="overdue" if c.opens_on < today else "due soon",
        )
        for c in selectors.cycles_to_open(actor=actor, today=today)
    ]
    for c in selectors.cycles_closing_soon(actor=actor, today=today, within_days=CLOSING_SOON_DAYS):
        if c.asked_count and c.answered_count * 100 >= c.asked_count * LOW_RESPONSE_PERCENT:
            continue
        items.append(
            TodoItem(
                text=(
                    f"The 360 of {c.cohort.name} closes soon with {c.answered_count} of "
                    f"{c.asked_count} raters answered"
                ),
                url=reverse("feedback360:cycle_detail", args=[c.pk]),
                due=c.closes_on,
                urgency="due soon",
            )
        )
    return items
