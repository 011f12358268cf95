"""The reviewer area's registrations: the rater permission and the two mail kinds."""


def register() -> None:
    from feedback360 import tasks_reviewer  # noqa: F401  (the reminder beat task)
    from feedback360.permissions.reviewer import register_permissions
    from feedback360.services import invitations
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
