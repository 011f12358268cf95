"""Writes in metrics: figures kept up to date from the domain events."""

import zoneinfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from metrics.models import LearningActivity
from people.models import DomainEvent


@transaction.atomic
def learning_activity_count(*, event: DomainEvent) -> LearningActivity:
    """Adds one to the day's count for the event's kind and cohort, the day taken in the
    organisation's own time zone. Runs once per event (people.events records it)."""
    organization = event.organization
    day = timezone.localtime(event.occurred_at, zoneinfo.ZoneInfo(organization.time_zone)).date()
    row, _ = LearningActivity.objects.get_or_create(
        organization=organization,
        cohort_id=event.payload.get("cohort_id"),
        day=day,
        event=event.name,
    )
    LearningActivity.objects.filter(pk=row.pk).update(count=F("count") + 1)
    row.refresh_from_db(fields=["count"])
    return row
