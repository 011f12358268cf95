"""360-degree feedback: questionnaires, cycles, raters, invitations and responses.

A cycle belongs to a cohort and a phase (before or after the program). Each learner of
the cohort is the subject of one set of raters, grouped as self, manager, peers, direct
reports and stakeholders. Reviewers answer through a personal link and need no account;
only a hash of each link's token is stored. Reports (part 2) are computed from released
answers only, so nothing here is read by a page that shows figures.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.bounds import NOTE_LENGTH, PROSE_LENGTH, text_validators, validate_date_range
from people.models import Employee, Organization, User
from programs.models import Cohort, Competency, Enrollment

# The smallest group whose answers may ever be shown, whatever an organisation sets:
# below three, a rater can subtract their own answer and read another's.
THRESHOLD_FLOOR = 3
# The 'all raters except self' figure mixes groups, so it needs one more.
OVERALL_THRESHOLD_FLOOR = 4


class RaterGroup(models.TextChoices):
    SELF = "self", "Self"
    MANAGER = "manager", "Manager"
    PEER = "peer", "Peers"
    DIRECT_REPORT = "direct_report", "Direct reports"
    STAKEHOLDER = "stakeholder", "Stakeholders"


class FeedbackSettings(models.Model):
    """An organisation's 360 settings. A cycle copies them when it opens, so a later change
    never touches an open or closed cycle."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="feedback_settings"
    )
    peer_threshold = models.PositiveSmallIntegerField(
        default=THRESHOLD_FLOOR,
        validators=[MinValueValidator(THRESHOLD_FLOOR), MaxValueValidator(20)],
    )
    direct_report_threshold = models.PositiveSmallIntegerField(
        default=THRESHOLD_FLOOR,
        validators=[MinValueValidator(THRESHOLD_FLOOR), MaxValueValidator(20)],
    )
    stakeholder_threshold = models.PositiveSmallIntegerField(
        default=THRESHOLD_FLOOR,
        validators=[MinValueValidator(THRESHOLD_FLOOR), MaxValueValidator(20)],
    )
    overall_threshold = models.PositiveSmallIntegerField(
        default=OVERALL_THRESHOLD_FLOOR,
        validators=[MinValueValidator(OVERALL_THRESHOLD_FLOOR), MaxValueValidator(40)],
    )
    # How many learners may ask one person in a cycle (the manager group is exempt).
    rater_cap = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    # Nomination bounds per group; a group with nobody to ask (no direct reports) is
    # allowed, so the minimums apply only to peers and stakeholders.
    peers_min = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(30)])
    peers_max = models.PositiveSmallIntegerField(default=8, validators=[MaxValueValidator(30)])
    direct_reports_max = models.PositiveSmallIntegerField(
        default=12, validators=[MaxValueValidator(50)]
    )
    stakeholders_min = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(30)]
    )
    stakeholders_max = models.PositiveSmallIntegerField(
        default=6, validators=[MaxValueValidator(30)]
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "feedback settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(peer_threshold__gte=THRESHOLD_FLOOR)
                & Q(direct_report_threshold__gte=THRESHOLD_FLOOR)
                & Q(stakeholder_threshold__gte=THRESHOLD_FLOOR)
                & Q(overall_threshold__gte=OVERALL_THRESHOLD_FLOOR),
                name="feedback_settings_thresholds_floor",
            ),
            models.CheckConstraint(
                condition=Q(peers_min__lte=models.F("peers_max"))
                & Q(stakeholders_min__lte=models.F("stakeholders_max")),
                name="feedback_settings_min_le_max",
            ),
        ]

    def __str__(self):
        return f"360 settings of {self.organization}"


class Questionnaire(models.Model):
    """One version of a 360 questionnaire, in the shared questionnaire format. A version
    used by an open or closed cycle is locked; a change makes a new version."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="feedback_questionnaires"
    )
    key = models.SlugField(max_length=80)
    version = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    description = models.TextField(
        blank=True, max_length=PROSE_LENGTH, validators=text_validators(PROSE_LENGTH)
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "version"], name="feedback_questionnaire_version"
            )
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"


class ItemKind(models.TextChoices):
    RATING = "rating", "Rating 1-5"
    OPEN = "open", "Open question"


class QuestionnaireItem(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=80)
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=ItemKind.choices, default=ItemKind.RATING)
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH))
    # Rating items: what each level 1..5 looks like, and whether 'not observed' is offered.
    anchors = models.JSONField(default=dict, blank=True)
    not_observed = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="feedback_item_key"),
            models.CheckConstraint(
                condition=Q(kind="open") | Q(competency__isnull=False),
                name="feedback_rating_item_has_competency",
            ),
        ]

    def __str__(self):
        return self.key


class CyclePhase(models.TextChoices):
    PRE = "pre", "Before the program"
    POST = "post", "After the program"


class CycleStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class FeedbackCycle(models.Model):
    """A cohort's 360 before or after its program. Opening copies the organisation's
    thresholds and cap onto the cycle; a closed cycle never reopens."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="feedback_cycles"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="feedback_cycles")
    phase = models.CharField(max_length=10, choices=CyclePhase.choices)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="cycles"
    )
    opens_on = models.DateField(validators=[validate_date_range])
    closes_on = models.DateField(validators=[validate_date_range])
    status = models.CharField(
        max_length=10, choices=CycleStatus.choices, default=CycleStatus.SCHEDULED
    )
    # Copied from FeedbackSettings when the cycle opens; null while scheduled.
    peer_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    direct_report_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    stakeholder_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    overall_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    rater_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    reminder_interval_days = models.PositiveSmallIntegerField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "phase"], name="feedback_cycle_per_phase"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="feedback_cycle_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(status="scheduled")
                | (
                    Q(peer_threshold__gte=THRESHOLD_FLOOR)
                    & Q(direct_report_threshold__gte=THRESHOLD_FLOOR)
                    & Q(stakeholder_threshold__gte=THRESHOLD_FLOOR)
                    & Q(overall_threshold__gte=OVERALL_THRESHOLD_FLOOR)
                ),
                name="feedback_cycle_thresholds_copied",
            ),
        ]

    def __str__(self):
        return f"{self.cohort} · {self.get_phase_display()}"


class RaterStatus(models.TextChoices):
    NOMINATED = "nominated", "Awaiting approval"
    APPROVED = "approved", "Approved"
    INVITED = "invited", "Invited"
    SUBMITTED = "submitted", "Answered"
    DECLINED = "declined", "Declined"
    REMOVED = "removed", "Removed"


# Statuses that hold a place in a group and count towards a person's cap.
ACTIVE_RATER_STATUSES = (
    RaterStatus.NOMINATED,
    RaterStatus.APPROVED,
    RaterStatus.INVITED,
    RaterStatus.SUBMITTED,
)


class RaterAssignment(models.Model):
    """One person asked for feedback about one learner in one cycle, in one group. A
    roster person has `employee`; someone outside the roster has only a name and email."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="rater_assignments"
    )
    cycle = models.ForeignKey(FeedbackCycle, on_delete=models.CASCADE, related_name="raters")
    subject = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="rater_assignments"
    )
    group = models.CharField(max_length=20, choices=RaterGroup.choices)
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Always set (from the roster for an employee): the address invitations go to, and
    # the identity that the one-group rule and the cap count.
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=12, choices=RaterStatus.choices, default=RaterStatus.NOMINATED
    )
    nominated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["group", "name", "id"]
        indexes = [models.Index(fields=["cycle", "email"], name="rater_cycle_email")]
        constraints = [
            # A person sits in one group per learner (declined or removed rows aside).
            models.UniqueConstraint(
                fields=["cycle", "subject", "email"],
                condition=Q(status__in=["nominated", "approved", "invited", "submitted"]),
                name="rater_one_group_per_learner",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_group_display()}) for {self.subject}"

    @property
    def is_invited(self) -> bool:
        """Invited, answered or not: the two look the same to everyone who manages the
        list, and an invited rater keeps their place and group."""
        return self.status in (RaterStatus.INVITED, RaterStatus.SUBMITTED)


class RaterToken(models.Model):
    """One personal link sent to a rater. Only the SHA-256 of the token is stored; each
    send mints a fresh one, and earlier ones stay valid until the cycle closes."""

    assignment = models.ForeignKey(RaterAssignment, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"link for {self.assignment_id}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class FeedbackResponse(models.Model):
    """A rater's answers: saved as a draft as they go, submitted once, then final."""

    assignment = models.OneToOneField(
        RaterAssignment, on_delete=models.CASCADE, related_name="response"
    )
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"response {self.pk}"


class FeedbackAnswer(models.Model):
    """One item's answer: a rating 1-5, 'not observed' (no value), or open text."""

    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    not_observed = models.BooleanField(default=False)
    text = models.TextField(
        blank=True, max_length=NOTE_LENGTH, validators=text_validators(NOTE_LENGTH)
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="feedback_answer_once"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | (Q(value__gte=1) & Q(value__lte=5)),
                name="feedback_answer_value_1_to_5",
            ),
            models.CheckConstraint(
                condition=~(Q(not_observed=True) & Q(value__isnull=False)),
                name="feedback_answer_not_observed_has_no_value",
            ),
        ]

    def __str__(self):
        return f"answer to {self.item_id}"
