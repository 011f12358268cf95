from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programs, modules and cohorts"

    def ready(self) -> None:
        from people.models import Organization
        from people.signals import organization_created
        from programs import permissions, tasks  # noqa: F401  (register permissions and tasks)

        def seed(sender, organization, **kwargs):
            from programs.services import organization_content_seed

            organization_content_seed(organization=organization)

        organization_created.connect(seed, sender=Organization, dispatch_uid="programs.seed")

        from django.db.models.signals import post_migrate

        def seed_missing(sender, **kwargs):
            # Organisations created before this app existed get the same starting content.
            from programs.services import organization_content_seed

            for organization in Organization.objects.filter(competencies__isnull=True):
                organization_content_seed(organization=organization)

        post_migrate.connect(seed_missing, sender=self, dispatch_uid="programs.seed_missing")

        from people.demo import register_demo_loader
        from people.navigation import register_nav
        from programs import demo, home, personal_data

        home.register()
        personal_data.register()

        def demo_programs(organization) -> str:
            created = demo.demo_programs_load(organization=organization)
            if not created["created"]:
                return ""
            return (
                f"Created two programs and {created['cohorts']} cohorts "
                f"({created['learners']} learners)."
            )

        register_demo_loader(name="programs", floor=2, load=demo_programs)

        from people.outbox import register_mail_kind
        from programs.services.reminders import (
            NUDGE_MAIL,
            REMINDER_MAIL,
            nudge_render,
            reminder_mark_sent,
            reminder_render,
        )

        register_mail_kind(REMINDER_MAIL, render=reminder_render, on_sent=reminder_mark_sent)
        register_mail_kind(NUDGE_MAIL, render=nudge_render)

        from programs.services.welcome import ENROLMENT_WELCOME_MAIL, enrolment_welcome_render

        register_mail_kind(ENROLMENT_WELCOME_MAIL, render=enrolment_welcome_render)

        register_nav(url_name="learn:home", label="My program", permission="learn", order=10)
        register_nav(
            url_name="follow:coach_learners",
            label="My learners",
            permission="coach_learners",
            order=20,
        )
        register_nav(
            url_name="follow:team_progress", label="My team", permission="line_manager", order=30
        )
        register_nav(
            url_name="programs:cohorts", label="Cohorts", permission="manage_programs", order=40
        )
        register_nav(
            url_name="programs:programs", label="Programs", permission="manage_programs", order=41
        )
        register_nav(
            url_name="programs:scenarios", label="Scenarios", permission="manage_programs", order=42
        )
        register_nav(
            url_name="programs:competencies",
            label="Competencies",
            permission="manage_programs",
            order=43,
        )
