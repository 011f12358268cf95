from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Metrics and ROI"

    def ready(self) -> None:
        from metrics import home, services
        from people.events import EventName, subscribe

        def count(event) -> None:
            services.learning_activity_count(event=event)

        for name in (
            EventName.MODULE_COMPLETED,
            EventName.SCENARIO_ATTEMPT_FINISHED,
            EventName.KNOWLEDGE_CHECK_ATTEMPTED,
        ):
            subscribe(name, handler="metrics.learning_activity", func=count)
        home.register()

        from people.personal_data import register_personal_data

        # Counts per cohort and day: nothing about any one person, said out loud so an
        # export lists every app.
        register_personal_data(
            app="metrics",
            floor=5,
            holds="Nothing about any one person: learning activity is counted per cohort and day.",
            export=lambda subject: {},
            erase=lambda subject: 0,
        )
