import django.db.models.deletion
from django.db import migrations, models


def name_the_manager(apps, schema_editor):
    # A plan shared before this change was shared with the learner's manager of the time,
    # which is the best record there is of whom the learner meant.
    Plan = apps.get_model("assessments", "DevelopmentPlan")
    for plan in Plan.objects.filter(shared_with_manager=True).select_related("enrollment__employee"):
        plan.shared_with_id = plan.enrollment.employee.manager_id
        plan.save(update_fields=["shared_with"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_initial"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="developmentplan",
            name="shared_with",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="people.employee",
            ),
        ),
        migrations.RunPython(name_the_manager, migrations.RunPython.noop),
        migrations.RemoveField(model_name="developmentplan", name="shared_with_manager"),
    ]
