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
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "cohort_id", "day", "event"],
                name="one_activity_count_per_day",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} x{self.count} on {self.day}"
