"""The nomination area's contributions: permissions, navigation and home to-dos."""

from django.urls import reverse

from people.home import TodoItem, register_todo
from people.permissions import Actor


def _learner_items(actor: Actor) -> list[TodoItem]:
    """The learner's own lists: nominate while a group is short, replace a rater who
    declined, wait for approval, and how many have answered."""
    if not actor.is_learner:
        return []
    from feedback360.models import RaterGroup
    from feedback360.selectors import nomination as selectors

    bounds = selectors.group_bounds(
        settings=selectors.feedback_settings(organization=actor.organization)
    )
    items = []
    for n in selectors.own_nominations(actor=actor):
        url = reverse("feedback360:subject_raters", args=[n.cycle.pk, n.subject.pk])
        what = f"{n.cycle.cohort.name} ({n.cycle.get_phase_display().lower()})"
        short = [
            f"{RaterGroup(g).label.lower()} {n.counts[g]} of at least {b.minimum}"
            for g, b in selectors.short_groups(counts=n.counts, bounds=bounds).items()
        ]
        if short or not sum(n.counts.values()):
            text = f"Nominate your 360 raters for {what}"
            items.append(
                TodoItem(
                    text=text + (f": {', '.join(short)}" if short else ""),
                    url=url,
                    due=n.cycle.opens_on,
                )
            )
        elif n.awaiting:
            items.append(
                TodoItem(
                    text=f"{n.awaiting} of your 360 raters for {what} await your line "
                    "manager's approval",
                    url=url,
                )
            )
        if n.declined_unreplaced:
            items.append(
                TodoItem(
                    text=f"{n.declined_unreplaced} of your 360 raters for {what} declined: "
                    "nominate a replacement",
                    url=url,
                    due=n.cycle.closes_on,
                )
            )
        if n.asked:
            items.append(
                TodoItem(
                    text=f"{n.answered} of {n.asked} of your 360 raters for {what} have answered",
                    url=url,
                    due=n.cycle.closes_on,
                )
            )
    return items


def _approvals(actor: Actor) -> list[TodoItem]:
    """The line manager's reports whose raters await approval. L&D managers see every
    list on the nominations page but are not asked to approve from their home."""
    if not actor.is_line_manager:
        return []
    from feedback360.selectors import nomination as selectors
    from programs.permissions import report_enrollments

    mine = report_enrollments(actor)
    return [
        TodoItem(
            text=f"Approve {row.subject.employee.full_name}'s 360 raters ({row.awaiting} awaiting)",
            url=reverse("feedback360:subject_raters", args=[row.cycle.pk, row.subject.pk]),
            due=row.cycle.opens_on,
        )
        for row in selectors.nomination_overview(actor=actor, awaiting_only=True)
        if mine.allows(row.subject)
    ]


def register() -> None:
    from feedback360.permissions import nomination  # noqa: F401  (registers permissions)
    from people.navigation import register_nav

    register_nav(
        url_name="feedback360:rater_overview",
        label="360 raters",
        permission="approve_raters",
        order=35,
        hidden_by="manage_feedback",
    )
    register_todo(key="feedback360.nominate", order=45, items=_learner_items)
    register_todo(key="feedback360.approve", order=46, items=_approvals)
