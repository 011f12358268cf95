"""A learner's welcome email names the program, the cohort and the start date."""

import datetime
import re

from django.urls import reverse

from people.models import OutgoingMail
from programs import services
from programs.models import Enrollment
from tests.factories import EmployeeFactory


def _enrol(lnd, cohort, people, capture):
    with capture(execute=True):
        services.enrollment_add(actor=lnd, cohort=cohort, employees=people)


def test_a_new_learner_is_welcomed_to_the_program_with_a_password_link(
    lnd, cohort, org, mailoutbox, django_capture_on_commit_callbacks
):
    cohort.start_date = datetime.date(2026, 3, 2)
    cohort.save(update_fields=["start_date"])
    newcomer = EmployeeFactory(organization=org, full_name="Nina New", email="nina@acme.test")
    _enrol(lnd, cohort, [newcomer], django_capture_on_commit_callbacks)

    [mail] = mailoutbox
    assert mail.to == ["nina@acme.test"]
    assert mail.subject == "You are enrolled in New managers, starting 2 March 2026"
    assert (
        "You are enrolled in New managers at Acme Test, in the cohort Spring cohort, "
        "starting 2 March 2026." in mail.body
    )
    link = re.search(r"http\S+/password-reset/\S+", mail.body)
    assert link, "a link to choose a password"
    token = link.group(0).rstrip("/").rsplit("/", 1)[-1]
    enrollment = Enrollment.objects.get(employee=newcomer)
    stored = list(OutgoingMail.objects.values_list("kind", "ids"))
    assert stored == [("programs.enrolment_welcome", {"enrollment_id": enrollment.pk})]
    assert token not in str(stored)


def test_someone_who_already_signs_in_is_told_they_are_enrolled(
    lnd, cohort, learner_employee, mailoutbox, django_capture_on_commit_callbacks
):
    # The learner already has a login and the learner role (from another program).
    learner_employee.user.set_password("already-chosen")
    learner_employee.user.save()
    _enrol(lnd, cohort, [learner_employee], django_capture_on_commit_callbacks)

    [mail] = mailoutbox
    starts = cohort.start_date.strftime("%-d %B %Y")
    assert mail.subject == f"You are enrolled in New managers, starting {starts}"
    assert "in the cohort Spring cohort" in mail.body
    assert "password-reset" not in mail.body
    assert mail.body.rstrip().endswith(reverse("learn:home"))


def test_enrolling_without_notice_sends_nothing(
    lnd, cohort, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_add(
            actor=lnd, cohort=cohort, employees=[EmployeeFactory(organization=org)], notify=False
        )
    assert mailoutbox == []
