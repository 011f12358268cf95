"""Copies each enrolment import's rows from its JSON list into EnrollmentImportRow, and
gives each import the status and counts its rows imply."""

from django.db import migrations

# The problems the JSON rows could hold, as enrollment_import_start wrote them, with the
# label each is counted under on the preview (frozen here: the code may change).
LEGACY_PROBLEMS = [
    ("appears twice in the file.", "Twice in the file"),
    ("is not on the roster (unknown email).", "Not on the roster"),
    ("is not on this organisation's roster.", "Not on the roster"),
    ("has left the organisation.", "Left the organisation"),
    ("is already enrolled in this cohort.", "Already enrolled"),
    ("would exceed the cohort's capacity", "Over the cohort's capacity"),
]


def _label(error: str) -> str:
    for start, label in LEGACY_PROBLEMS:
        if error.startswith(start):
            return label
    return "Other problems"


def rows_from_json(apps, schema_editor):
    EnrollmentImport = apps.get_model("programs", "EnrollmentImport")
    EnrollmentImportRow = apps.get_model("programs", "EnrollmentImportRow")
    Employee = apps.get_model("people", "Employee")
    for batch in EnrollmentImport.objects.all().iterator(chunk_size=200):
        legacy = [r for r in batch.legacy_rows or [] if isinstance(r, dict)]
        ids = {r.get("employee_id") for r in legacy if r.get("employee_id")}
        # A person erased since the upload leaves their row without a match.
        still_there = set(Employee.objects.filter(pk__in=ids).values_list("pk", flat=True))
        rows, counts = [], {}
        for position, r in enumerate(legacy, start=1):
            email = str(r.get("email") or "")[:254]
            fragments = [str(e) for e in r.get("errors") or []]
            for fragment in fragments:
                label = _label(fragment)
                counts[label] = counts.get(label, 0) + 1
            rows.append(
                EnrollmentImportRow(
                    enrollment_import=batch,
                    row_number=r.get("row") or position,
                    email=email,
                    employee_id=r.get("employee_id") if r.get("employee_id") in still_there else None,
                    # Stored rows hold whole sentences; the JSON held the part after the email.
                    errors=[f"{email} {fragment}" for fragment in fragments],
                )
            )
        EnrollmentImportRow.objects.bulk_create(rows, batch_size=1000)
        with_problems = sum(1 for row in rows if row.errors)
        if batch.committed_at:
            status = "committed"
        elif batch.file_error or with_problems or not rows:
            status = "invalid"
        else:
            status = "preview"
        batch.status = status
        batch.summary = {
            "rows": len(rows),
            "ready": len(rows) - with_problems,
            "with_problems": with_problems,
            "problems": [{"label": label, "count": n} for label, n in counts.items()],
        }
        batch.save(update_fields=["status", "summary"])


def rows_to_json(apps, schema_editor):
    EnrollmentImport = apps.get_model("programs", "EnrollmentImport")
    for batch in EnrollmentImport.objects.prefetch_related("rows__employee").iterator(
        chunk_size=200
    ):
        batch.legacy_rows = [
            {
                "row": row.row_number,
                "email": row.email,
                "name": row.employee.full_name if row.employee else "",
                "employee_id": row.employee_id,
                "errors": [e.removeprefix(f"{row.email} ") for e in row.errors],
            }
            for row in batch.rows.all()
        ]
        batch.save(update_fields=["legacy_rows"])


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_enrollment_import_rows"),
    ]

    operations = [migrations.RunPython(rows_from_json, rows_to_json)]
