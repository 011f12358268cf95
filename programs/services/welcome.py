"""The enrolment welcome: the email a learner gets when enrolled in a cohort."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat

from people.outbox import mail_queue_many
from people.services import password_choose_link
from programs.models import Enrollment, EnrollmentStatus

ENROLMENT_WELCOME_MAIL = "programs.enrolment_welcome"


def enrolment_welcome_queue(*, enrollments: list[Enrollment]) -> None:
    """Queues one welcome per enrolment in the mail outbox (ids only, never a token)."""
    if not enrollments:
        return
    mail_queue_many(
        kind=ENROLMENT_WELCOME_MAIL,
        organization=enrollments[0].cohort.organization,
        ids_list=[{"enrollment_id": e.pk} for e in enrollments],
    )


def enrolment_welcome_render(ids: dict) -> EmailMessage | None:
    """Names the program, the cohort and the start date. Someone new to Lodestar gets a
    link to choose their password (its token made now, at sending time); someone who
    already signs in gets a link to their program. None once the enrolment ended or the
    login was deactivated."""
    enrollment = (
        Enrollment.objects.select_related(
            "employee__user", "cohort__program", "cohort__organization"
        )
        .filter(pk=ids["enrollment_id"], status=EnrollmentStatus.ACTIVE)
        .first()
    )
    user = enrollment.employee.user if enrollment else None
    if user is None or not user.is_active:
        return None
    cohort = enrollment.cohort
    base = settings.LODESTAR_BASE_URL.rstrip("/")
    new_to_lodestar = not user.has_usable_password()
    starts = dateformat.format(cohort.start_date, "j F Y")
    body = render_to_string(
        "programs/email/enrolment_welcome.txt",
        {
            "user": user,
            "organization": cohort.organization,
            "program": cohort.program,
            "cohort": cohort,
            "starts": starts,
            "new_to_lodestar": new_to_lodestar,
            "link": password_choose_link(user) if new_to_lodestar else base + reverse("learn:home"),
        },
    )
    return EmailMessage(
        f"You are enrolled in {cohort.program.title}, starting {starts}",
        body,
        None,
        [user.email],
    )
