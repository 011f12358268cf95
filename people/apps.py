from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        # signals: API tokens close when a password changes; tasks: job kinds for the sweeper.
        from people import signals, tasks  # noqa: F401
        from people.api import schema  # noqa: F401  (documents the API's authentication)
        from people.navigation import register_nav

        register_nav(url_name="people:list", label="People", permission="view_people", order=50)
        register_nav(url_name="people:teams", label="Teams", permission="manage_roster", order=51)
        register_nav(
            url_name="people:imports", label="Roster import", permission="manage_roster", order=52
        )

        from people import home_sections
        from people.outbox import register_mail_kind
        from people.services.access import INVITATION, invitation_render

        home_sections.register()
        from people import onboarding

        onboarding.register()
        from people.personal_data import register_people_handler

        register_people_handler()
        register_mail_kind(INVITATION, render=invitation_render)
