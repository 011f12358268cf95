import datetime
import secrets
import uuid
import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.bounds import validate_date_range


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"'{value}' is not a known time zone (for example Europe/Berlin).")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. People on the roster are Employees; a User is only who can sign in."""

    username = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    first_name = None
    last_name = None

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        if self.full_name:
            return self.full_name.split(" ")[0]
        return self.email.split("@")[0]


class Organization(models.Model):
    """The tenant boundary: every domain row belongs to exactly one organisation."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(max_length=3, default="EUR")
    # Bumped by every roster write, so an import preview knows when it went stale.
    roster_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def today(self) -> datetime.date:
        """Today's date where the organisation is: who has left is decided by this date."""
        return timezone.localdate(timezone=zoneinfo.ZoneInfo(self.time_zone))


class Role(models.TextChoices):
    LND_MANAGER = "lnd_manager", "L&D manager"
    LEARNER = "learner", "Learner"
    COACH = "coach", "Coach"
    EXECUTIVE = "executive", "Executive"


class Membership(models.Model):
    """One role a user holds in an organisation; a user may hold several."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    lead = models.ForeignKey(
        "Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class TerminationReason(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary"
    INVOLUNTARY = "involuntary", "Involuntary"


class Employee(models.Model):
    """The HR roster record, with or without a login.

    The columns hold the current state; EmployeeRecord keeps every dated change so
    any past date's roster and reporting lines can be rebuilt.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="employees"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="employments"
    )
    employee_id = models.CharField(max_length=64, blank=True)
    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    job_title = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=40, blank=True)
    hire_date = models.DateField(null=True, blank=True, validators=[validate_date_range])
    termination_date = models.DateField(null=True, blank=True, validators=[validate_date_range])
    termination_reason = models.CharField(
        max_length=20, choices=TerminationReason.choices, blank=True
    )
    annual_salary = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    is_top_performer = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="employee_unique_email"),
            models.UniqueConstraint(
                fields=["organization", "employee_id"],
                condition=~Q(employee_id=""),
                name="employee_unique_employee_id",
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(user__isnull=False),
                name="employee_unique_user",
            ),
        ]
        indexes = [models.Index(fields=["organization", "manager"])]

    def __str__(self) -> str:
        return self.full_name

    def is_employed_on(self, day: datetime.date) -> bool:
        return self.termination_date is None or self.termination_date > day

    @property
    def is_active(self) -> bool:
        """Employed today in the organisation's time zone (loads the organisation)."""
        return self.is_employed_on(self.organization.today())


class RecordEvent(models.TextChoices):
    HIRE = "hire", "Hired"
    CHANGE = "change", "Changed"
    TERMINATION = "termination", "Terminated"


class EmployeeRecord(models.Model):
    """One dated HR event with the employee's full state from that date on.

    Keeping the whole state (not a diff) makes 'the roster on date D' a single
    query: the latest record per employee with effective_date <= D.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="records")
    effective_date = models.DateField(validators=[validate_date_range])
    event = models.CharField(max_length=20, choices=RecordEvent.choices)
    changed_fields = models.JSONField(default=list, blank=True)
    is_employed = models.BooleanField(default=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job_title = models.CharField(max_length=200, blank=True)
    level = models.CharField(max_length=40, blank=True)
    annual_salary = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    is_top_performer = models.BooleanField(default=False)
    termination_reason = models.CharField(
        max_length=20, choices=TerminationReason.choices, blank=True
    )
    source = models.CharField(max_length=40, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["employee_id", "effective_date", "id"]
        indexes = [
            models.Index(fields=["organization", "effective_date"]),
            models.Index(fields=["employee", "effective_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.effective_date}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored."""

    PREFIX = "lsk"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    roles = models.JSONField(default=list)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.PREFIX}_{self.key_id}_…)"

    @staticmethod
    def new_key_id() -> str:
        return secrets.token_hex(6)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """A long-running piece of work whose state lives here, not in the broker.

    A lost queue or a killed worker loses nothing: the sweeper re-queues jobs whose
    heartbeat went stale, and every job kind is idempotent.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=60)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}


class ImportStatus(models.TextChoices):
    PARSING = "parsing", "Checking the file"
    PREVIEW = "preview", "Ready to review"
    INVALID = "invalid", "Has errors"
    COMMITTED = "committed", "Imported"
    DISCARDED = "discarded", "Discarded"


class RosterImport(models.Model):
    """An uploaded roster file, parsed and validated into rows before anything changes."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="roster_imports"
    )
    uploaded_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="roster_imports"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    status = models.CharField(
        max_length=12, choices=ImportStatus.choices, default=ImportStatus.PARSING
    )
    roster_version = models.PositiveIntegerField(null=True, blank=True)
    job = models.OneToOneField(Job, null=True, on_delete=models.SET_NULL, related_name="+")
    file_errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class RowAction(models.TextChoices):
    CREATE = "create", "New person"
    UPDATE = "update", "Update"
    UNCHANGED = "unchanged", "No change"
    ERROR = "error", "Error"


class RosterImportRow(models.Model):
    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    errors = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=10, choices=RowAction.choices)
    changes = models.JSONField(default=list, blank=True)
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["row_number"]

    def __str__(self) -> str:
        return f"Row {self.row_number} ({self.action})"


class DevMailboxMessage(models.Model):
    """Outgoing email kept only while DEBUG is on, for the staff-only dev mailbox."""

    to = models.TextField()
    subject = models.CharField(max_length=500)
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class AuditEntry(models.Model):
    """Who did what to which object, and when. Never the sensitive values themselves."""

    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=80)
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class DomainEvent(models.Model):
    """Something that happened (a module completed, an assessment submitted), written by
    the service that made it happen, in the same transaction. Handlers in higher apps
    (metrics, later xAPI) consume it through Celery, so the lower app never knows them;
    a rolled-back change leaves no event, and a worker that was down loses none.

    The payload carries ids and results, never free text a person wrote.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    # Null for the system actor: work nobody started by hand, or an anonymous rater.
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)
    # Set once every handler subscribed at the time has handled it; the sweeper resends
    # the rest.
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at"]
        indexes = [models.Index(fields=["handled_at", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class EventHandling(models.Model):
    """Which handler processed which event. Written in the same transaction as the
    handler's own changes, so a handler sees each event exactly once."""

    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="handlings")
    handler = models.CharField(max_length=120)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="event_handled_once")
        ]

    def __str__(self) -> str:
        return f"{self.handler} handled {self.event_id}"


class MailStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Gave up"
    SKIPPED = "skipped", "Nothing to send any more"


class OutgoingMail(models.Model):
    """An email someone should get, recorded in the transaction of the change that calls
    for it: what kind and about which rows, never a rendered message or a secret. A
    worker claims it, renders it at sending time (minting any link token then), sends it
    and marks it sent, so mail never holds a database transaction open and a rollback
    sends nothing."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=60)
    ids = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"
