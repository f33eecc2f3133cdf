"""Load the shipped Vietnamese and English wording as editable template rows."""

from django.db import migrations


def load_defaults(apps, schema_editor):
    from portal.notifications.defaults import default_rows

    NotificationTemplate = apps.get_model("notifications", "NotificationTemplate")
    for row in default_rows():
        NotificationTemplate.objects.get_or_create(
            event=row["event"],
            channel=row["channel"],
            language=row["language"],
            defaults={"subject": row["subject"], "body": row["body"]},
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
