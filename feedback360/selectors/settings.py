"""An organisation's 360 settings, read by every area."""

from feedback360.models import FeedbackSettings
from people.models import Organization


def feedback_settings(*, organization: Organization) -> FeedbackSettings:
    """The organisation's 360 settings, or the defaults (unsaved) when none are stored,
    so reading them never writes."""
    return FeedbackSettings.objects.filter(organization=organization).first() or FeedbackSettings(
        organization=organization
    )
