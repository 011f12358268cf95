import zoneinfo

from django import forms
from django.conf import settings

from people.bounds import validate_date_range
from people.models import Role

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Organisation name")
    slug = forms.SlugField(
        max_length=60, label="Short name", help_text="Letters, digits and hyphens, e.g. acme."
    )
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="Europe/Berlin")
    currency = forms.CharField(
        max_length=3, initial="EUR", help_text="ISO code, e.g. EUR, USD, GBP."
    )
    lnd_manager_email = forms.EmailField(label="First L&D manager's email")
    lnd_manager_name = forms.CharField(max_length=200, required=False, label="Their name")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Roster file (CSV or XLSX)",
        help_text="UTF-8 CSV or an Excel workbook; the first row names the columns.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        if upload.size > settings.LODESTAR_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // 1024} KB; the limit is "
                f"{settings.LODESTAR_IMPORT_MAX_BYTES // 1024} KB."
            )
        return upload


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)


class TeamEditForm(forms.Form):
    name = forms.CharField(max_length=120)
    lead = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="No lead",
        help_text="Chosen from the team's active members.",
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = members


class AccessGrantForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, label="Roles"
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it, e.g. 'HRIS sync'.")
    roles = forms.MultipleChoiceField(
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave empty for all the roles you hold here.",
    )
    read_only = forms.BooleanField(required=False, label="Read-only")

    def __init__(self, *args, held_roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r, Role(r).label) for r in sorted(held_roles)]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    team = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        required=False,
        choices=[("active", "Active"), ("left", "Left"), ("all", "Everyone")],
        initial="active",
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "All teams")] + [(str(t.pk), t.name) for t in teams]


def add_service_errors(form: forms.Form, exc) -> None:
    """Shows a service's ValidationError on the form: each message on its field when the
    form has that field, otherwise at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class EmployeeEditForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, required=False, empty_label="No team")
    manager = forms.ModelChoiceField(queryset=None, required=False, empty_label="No manager")
    job_title = forms.CharField(max_length=200, required=False)
    level = forms.CharField(max_length=40, required=False)
    annual_salary = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    is_top_performer = forms.BooleanField(required=False, label="Top performer")
    effective_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_date_range],
        help_text="When these changes take effect (kept in the HR history).",
    )
    termination_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        validators=[validate_date_range],
        label="Leaving date",
        help_text="Only for someone who is leaving or has left.",
    )
    termination_reason = forms.ChoiceField(
        choices=[("", "—"), ("voluntary", "Voluntary"), ("involuntary", "Involuntary")],
        required=False,
    )

    def __init__(self, *args, teams=None, managers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["manager"].queryset = managers
