from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import demo_assessments_load
from people.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_URL, demo_load
from people.models import Organization
from programs.demo import demo_programs_load


class Command(BaseCommand):
    help = "Creates the demo organisation Acme Software: roster history, programs and a running cohort."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo logins have a published password, one of them a superuser.
            raise CommandError("load_demo refuses to run with DJANGO_ENV=production.")
        counts = demo_load(stdout=self.stdout)
        organization = Organization.objects.get(slug="acme")
        programs = demo_programs_load(organization=organization)
        rounds = demo_assessments_load(organization=organization)
        if programs["created"]:
            self.stdout.write(
                f"Created two programs and a cohort of {programs['learners']} learners."
            )
        if rounds["created"]:
            self.stdout.write(
                f"Opened a baseline assessment round ({rounds['created']} assessments)."
            )
        if not counts["created"] and not programs["created"] and not rounds["created"]:
            self.stdout.write("Nothing new was created.")
        width = max(len(login.email) for login in DEMO_LOGINS)
        what_width = max(len(login.description) for login in DEMO_LOGINS)
        self.stdout.write("")
        self.stdout.write(f"{'Login':<{width}}  {'Who':<{what_width}}  Password")
        self.stdout.write(f"{'-' * width}  {'-' * what_width}  {'-' * len(DEMO_PASSWORD)}")
        for login in DEMO_LOGINS:
            self.stdout.write(
                f"{login.email:<{width}}  {login.description:<{what_width}}  {DEMO_PASSWORD}"
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Start the server and open {DEMO_URL}"))
