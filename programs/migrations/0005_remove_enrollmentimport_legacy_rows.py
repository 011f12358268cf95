from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0004_enrollment_import_rows_from_json"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="enrollmentimport",
            name="legacy_rows",
        ),
    ]
