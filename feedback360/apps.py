from django.apps import AppConfig


class Feedback360Config(AppConfig):
    name = "feedback360"
    verbose_name = "360-degree feedback"

    def ready(self) -> None:
        # Each area registers its hooks (permissions, home to-dos, mail kinds, beat tasks,
        # demo) from its own module, so areas can grow without touching one another.
        from feedback360 import hooks_cycles, hooks_demo, hooks_nomination, hooks_reviewer

        hooks_cycles.register()
        hooks_nomination.register()
        hooks_reviewer.register()
        hooks_demo.register()
