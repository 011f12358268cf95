from django.apps import AppConfig


class Feedback360Config(AppConfig):
    name = "feedback360"
    verbose_name = "360-degree feedback"
