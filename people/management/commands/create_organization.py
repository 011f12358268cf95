from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from people import services


class Command(BaseCommand):
    help = "Creates an organisation and its first L&D manager, and emails them an invitation."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument("--lnd-email", required=True, help="The first L&D manager's email.")
        parser.add_argument("--lnd-name", default="")

    def handle(self, *args, **options):
        try:
            org, user = services.organization_create(
                name=options["name"],
                slug=options["slug"],
                time_zone=options["time_zone"],
                currency=options["currency"],
                lnd_manager_email=options["lnd_email"],
                lnd_manager_name=options["lnd_name"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created {org.name} ({org.slug}); invitation sent to {user.email}.")
        )
