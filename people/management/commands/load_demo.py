from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from people.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_URL, demo_load_all


class Command(BaseCommand):
    help = (
        "Creates the demo organisation Acme Software: its roster history, then what each "
        "app registers (programs, cohorts, assessments...). Running it again changes nothing."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            # The demo logins have a published password, one of them a superuser.
            raise CommandError("load_demo refuses to run with DJANGO_ENV=production.")
        lines = demo_load_all(stdout=self.stdout)
        for line in lines:
            self.stdout.write(line)
        if not lines:
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
