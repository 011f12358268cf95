from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from people import tasks  # noqa: F401  (registers job kinds with the sweeper)
        from people.api import schema  # noqa: F401  (documents the API's authentication)
