"""Demo assessments: a baseline round open for the demo cohort, so the learner and their
line manager each have an assessment waiting on first run."""

import datetime

from assessments import services
from assessments.models import Assessment
from people.actors import actor_for_user
from people.models import Organization, User
from programs.demo import DEMO_COHORT
from programs.models import Cohort


def demo_assessments_load(*, organization: Organization) -> dict:
    """Opens the baseline round for the demo cohort. Idempotent."""
    services.assessment_library_load(organization=organization)
    cohort = Cohort.objects.filter(organization=organization, name=DEMO_COHORT).first()
    if cohort is None or Assessment.objects.filter(enrollment__cohort=cohort).exists():
        return {"created": 0}
    lnd = User.objects.get(email="lnd@acme.example")
    actor = actor_for_user(user=lnd, organization=organization)
    today = organization.today()
    return services.assessment_round_open(
        actor=actor,
        cohort=cohort,
        phase="baseline",
        opens_on=cohort.start_date,
        closes_on=max(today, cohort.start_date) + datetime.timedelta(days=21),
    )
