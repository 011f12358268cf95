from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend

from people.models import DevMailboxMessage


class DevMailboxBackend(BaseEmailBackend):
    """Delivers through the real backend and also keeps a copy for the dev mailbox.

    Used only while DEBUG is on (see settings), so a newcomer can follow reset and
    invitation links without an SMTP server. Production never stores a body.
    """

    def send_messages(self, email_messages):

        if not email_messages:
            return 0
        DevMailboxMessage.objects.bulk_create(
            DevMailboxMessage(
                to=", ".join(message.to),
                subject=message.subject[:500],
                body=message.body,
            )
            for message in email_messages
        )
        delivery = get_connection(
            settings.LODESTAR_DELIVERY_EMAIL_BACKEND, fail_silently=self.fail_silently
        )
        delivery.send_messages(email_messages)
        return len(email_messages)
