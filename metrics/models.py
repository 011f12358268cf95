from django.db import models

from people.models import Organization


class LearningActivity(models.Model):
    """How many learning events of one kind happened in a cohort on a day, counted as the
    events arrive (people.events). Engagement reports read these rows, never the events,
    and they name no person."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort_id = models.PositiveBigIntegerField(null=True, blank=True)
    day = models.DateField()
    event = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        # Two partial constraints rather than NULLS NOT DISTINCT, which SQLite lacks.
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cohort_id", "day", "event"],
                condition=models.Q(cohort_id__isnull=False),
                name="one_activity_count_per_cohort_day",
            ),
            models.UniqueConstraint(
                fields=["organization", "day", "event"],
                condition=models.Q(cohort_id__isnull=True),
                name="one_activity_count_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} x{self.count} on {self.day}"
