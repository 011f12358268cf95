"""The reviewer area's registrations: the rater permission, the two mail kinds, and the
home to-do of raters who have an account."""

import datetime

from django.urls import reverse

from people.home import TodoItem
from people.permissions import Actor

# A request closing within this many days is marked 'due soon'.
DUE_SOON_DAYS = 3


def rater_requests_to_do(actor: Actor) -> list[TodoItem]:
    from feedback360.selectors.reviewer import pending_rater_requests

    today = actor.organization.today()
    return [
        TodoItem(
            text=f"Give feedback for {assignment.subject.employee.full_name}",
            url=reverse("feedback360:own_request", args=[assignment.pk]),
            due=assignment.cycle.closes_on,
            urgency="due soon"
            if assignment.cycle.closes_on <= today + datetime.timedelta(days=DUE_SOON_DAYS)
            else "",
        )
        for assignment in pending_rater_requests(actor=actor)
    ]


def register() -> None:
    from feedback360 import tasks_reviewer  # noqa: F401  (the reminder beat task)
    from feedback360.permissions.reviewer import register_permissions
    from feedback360.services import invitations
    from people.home import register_todo
    from people.outbox import register_mail_kind

    register_permissions()
    register_mail_kind(
        invitations.INVITATION_MAIL,
        render=invitations.invitation_render,
        on_sent=invitations.invitation_mark_sent,
    )
    register_mail_kind(
        invitations.REMINDER_MAIL,
        render=invitations.reminder_render,
        on_sent=invitations.reminder_mark_sent,
    )
    register_todo(key="feedback360.rater_requests", order=25, items=rater_requests_to_do)

    # Approved raters are invited once their cycle is open: on approval if it already is,
    # else when it opens.
    from feedback360.models import FeedbackCycle
    from feedback360.services.cycles import CYCLE_OPENED
    from feedback360.services.nomination import RATERS_APPROVED
    from people.events import subscribe

    def invite_approved(event) -> None:
        invitations.invite(event.payload["assignment_ids"])

    def invite_on_opening(event) -> None:
        cycle = FeedbackCycle.objects.filter(pk=event.payload["cycle_id"]).first()
        if cycle is not None:
            invitations.cycle_invite_all(cycle=cycle)

    subscribe(RATERS_APPROVED, handler="feedback360.invite_approved", func=invite_approved)
    subscribe(CYCLE_OPENED, handler="feedback360.invite_on_opening", func=invite_on_opening)
