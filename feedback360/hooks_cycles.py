"""What the cycles area registers when the app starts: the manage_feedback permission,
the questionnaires every organisation gets, the L&D manager's to-dos, the navigation
entry and the beat task."""


def register() -> None:
    from django.apps import apps
    from django.db.models.signals import post_migrate

    from feedback360 import tasks_cycles  # noqa: F401  (registers the beat task)
    from feedback360.permissions import cycles  # noqa: F401  (registers manage_feedback)
    from people.home import register_todo
    from people.models import Organization
    from people.navigation import register_nav
    from people.signals import organization_created

    def seed(sender, organization, **kwargs):
        from feedback360.services.questionnaires import questionnaire_library_load

        questionnaire_library_load(organization=organization)

    def seed_all(sender, **kwargs):
        # Organisations created before a file was shipped or changed get it too; an
        # unchanged file changes nothing.
        from feedback360.services.questionnaires import questionnaire_library_load

        for organization in Organization.objects.all():
            questionnaire_library_load(organization=organization)

    organization_created.connect(seed, sender=Organization, dispatch_uid="feedback360.seed")
    post_migrate.connect(
        seed_all, sender=apps.get_app_config("feedback360"), dispatch_uid="feedback360.seed_all"
    )

    from feedback360.home_cycles import cycle_todos

    register_todo(key="feedback360.cycles", order=85, items=cycle_todos)
    register_nav(
        url_name="feedback360:cycles", label="360 feedback", permission="manage_feedback", order=44
    )
