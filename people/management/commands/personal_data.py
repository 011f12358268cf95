import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from people.actors import actor_for_user
from people.models import Organization, User
from people.personal_data import personal_data_erase, personal_data_export


class Command(BaseCommand):
    help = (
        "Exports (JSON on standard output) or erases what every app holds about one person, "
        "found by email in one organisation. Run as an L&D manager of that organisation."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("--organization", required=True, help="The organisation's slug.")
        parser.add_argument("--email", required=True, help="The person's email.")
        parser.add_argument("--as", dest="as_email", required=True, help="Your own login email.")

    def handle(self, *args, action, organization, email, as_email, **options):
        org = Organization.objects.filter(slug=organization).first()
        user = User.objects.filter(email__iexact=as_email).first()
        actor = actor_for_user(user=user, organization=org) if org and user else None
        if actor is None:
            raise CommandError("No such organisation, or that login is not a member of it.")
        try:
            if action == "export":
                data = personal_data_export(actor=actor, email=email)
                self.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False))
            else:
                counts = personal_data_erase(actor=actor, email=email)
                self.stdout.write(f"Erased: {counts}")
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
