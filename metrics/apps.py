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
