from django.db import migrations

from procedures.roles import editors_group, in_migration, medical_reviewers_group


def update_groups(apps, schema_editor):
    in_migration(apps, editors_group, medical_reviewers_group)  # both may follow background updates


class Migration(migrations.Migration):
    dependencies = [("procedures", "0015_freshness_renderings_background")]
    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
