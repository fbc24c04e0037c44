from django.db import migrations

from procedures.roles import editors_group, in_migration, medical_reviewers_group


def update_groups(apps, schema_editor):
    in_migration(apps, editors_group, medical_reviewers_group)  # both may read the audit log


class Migration(migrations.Migration):
    dependencies = [("procedures", "0011_revisions_scheduling_audit")]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
