"""The competency framework: seeded per organisation, renamed and retired, never deleted."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from people.models import Organization
from people.permissions import Actor, require
from programs.models import (
    SEEDED_COMPETENCIES,
    Competency,
    FrameworkReview,
)

logger = logging.getLogger(__name__)


def competencies_seed(*, organization: Organization) -> None:
    """Gives a new organisation the standard framework. Safe to run again."""
    existing = set(
        Competency.objects.filter(organization=organization).values_list("key", flat=True)
    )
    Competency.objects.bulk_create(
        Competency(organization=organization, key=key, name=name, description=text, position=i)
        for i, (key, name, text) in enumerate(SEEDED_COMPETENCIES)
        if key not in existing
    )


@transaction.atomic
def competency_save(
    *, actor: Actor, name: str, description: str = "", competency: Competency | None = None
) -> Competency:
    """Adds a competency or renames one. Its key never changes, so scenario files keep working."""
    require(actor, "manage_programs")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A competency needs a name."})
    clash = Competency.objects.filter(organization=actor.organization, name__iexact=name)
    if competency is not None:
        clash = clash.exclude(pk=competency.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a competency called '{name}'."})
    if competency is None:
        key = slugify(name).replace("-", "_")[:60] or "competency"
        base, n = key, 2
        while Competency.objects.filter(organization=actor.organization, key=key).exists():
            key, n = f"{base}_{n}", n + 1
        position = (
            Competency.objects.filter(organization=actor.organization).aggregate(m=Max("position"))[
                "m"
            ]
            or 0
        ) + 1
        competency = Competency(organization=actor.organization, key=key, position=position)
    competency.name, competency.description = name, description.strip()
    competency.save()
    framework_mark_reviewed(actor=actor)
    return competency


@transaction.atomic
def competency_set_retired(*, actor: Actor, competency: Competency, retired: bool) -> None:
    """Retires (hides from new programs) or restores a competency. Never deletes: past
    scores and scenario files refer to it."""
    require(actor, "manage_programs")
    competency.is_retired = retired
    competency.save(update_fields=["is_retired"])
    framework_mark_reviewed(actor=actor)


@transaction.atomic
def framework_mark_reviewed(*, actor: Actor) -> FrameworkReview:
    """Records that an L&D manager has been through the competency framework (said so,
    or changed it): the onboarding checklist's step. Repeating it moves the date on."""
    require(actor, "manage_programs")
    review, _ = FrameworkReview.objects.update_or_create(
        organization=actor.organization,
        defaults={"reviewed_by": actor.user, "reviewed_at": timezone.now()},
    )
    return review
