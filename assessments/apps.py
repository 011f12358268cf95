from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments and development plans"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from assessments import permissions  # noqa: F401  (registers permissions)
        from people.models import Organization
        from people.navigation import register_nav
        from people.signals import organization_created

        def seed(sender, organization, **kwargs):
            from assessments.services import assessment_library_load

            assessment_library_load(organization=organization)

        def seed_missing(sender, **kwargs):
            from assessments.models import AssessmentTemplate
            from assessments.services import assessment_library_load

            have = AssessmentTemplate.objects.values_list("organization_id", flat=True)
            for organization in Organization.objects.exclude(pk__in=have):
                assessment_library_load(organization=organization)

        organization_created.connect(seed, sender=Organization, dispatch_uid="assessments.seed")
        post_migrate.connect(seed_missing, sender=self, dispatch_uid="assessments.seed_missing")
        register_nav(
            url_name="assessments:mine", label="Assessments", permission="member", order=15
        )
        register_nav(
            url_name="assessments:my_plan", label="Development plan", permission="learn", order=16
        )

        from assessments import demo, home, personal_data
        from people.demo import register_demo_loader

        home.register()
        personal_data.register()

        def demo_rounds(organization) -> str:
            created = demo.demo_assessments_load(organization=organization)["created"]
            if not created:
                return ""
            return f"Wrote the leadership cohorts' assessment rounds ({created} assessments)."

        register_demo_loader(name="assessments", floor=3, load=demo_rounds)

        from django.urls import reverse

        from programs.module_links import register_module_link

        def quiz_link(enrollment, module):
            from assessments.services import knowledge_check_for

            has_questions = knowledge_check_for(module=module) is not None
            if enrollment is None:  # the L&D manager's module page
                label = "Edit the questions" if has_questions else "Set the questions"
                return (label, reverse("assessments:check_edit", args=[module.pk]))
            if not has_questions:
                return None
            return (
                "Take the knowledge check",
                reverse("assessments:check_take", args=[enrollment.pk, module.pk]),
            )

        register_module_link("knowledge_check", quiz_link)

        from programs.models import Program
        from programs.signals import program_copied

        def copy_with_program(sender, source, copy, module_map, **kwargs):
            from assessments.services import copy_for_cohort

            copy_for_cohort(source=source, copy=copy, module_map=module_map)

        program_copied.connect(
            copy_with_program, sender=Program, dispatch_uid="assessments.copy_with_program"
        )

        from assessments.services.readiness import (
            READINESS_REQUEST_MAIL,
            readiness_request_render,
        )
        from people.outbox import register_mail_kind

        register_mail_kind(READINESS_REQUEST_MAIL, render=readiness_request_render)

        from assessments.services import requests

        register_mail_kind(
            requests.ASSESSMENT_REQUEST_MAIL, render=requests.assessment_request_render
        )
        register_mail_kind(requests.PLAN_TO_AGREE_MAIL, render=requests.plan_to_agree_render)

        from programs.enrollment_links import register_team_links

        def plan_links(actor, enrollments):
            """The results page (with the plan) where the actor may read it; else the plan
            the learner shared with them. Two queries for any number of learners."""
            from assessments import selectors

            ids = [e.pk for e in enrollments]
            full = selectors.results_enrollment_ids(actor=actor, enrollment_ids=ids)
            shared = selectors.shared_plan_enrollment_ids(actor=actor, enrollment_ids=ids)
            links = {}
            for e in enrollments:
                url = reverse("assessments:results", args=[e.pk])
                if e.pk in full:
                    links[e.pk] = [("Results and development plan", url)]
                elif e.pk in shared:
                    links[e.pk] = [(f"{e.employee.full_name}'s plan", url)]
            return links

        register_team_links("assessments.plan", plan_links)

        from programs.program_links import register_program_link
        from programs.signals import program_saved

        def default_targets(sender, program, **kwargs):
            from assessments.services import targets_default

            targets_default(program=program)

        program_saved.connect(
            default_targets, sender=Program, dispatch_uid="assessments.default_targets"
        )

        def targets_link(program):
            return ("Target levels", reverse("assessments:targets", args=[program.pk]))

        register_program_link(targets_link, after_create=True)
