from django.db import migrations

from procedures.roles import editors_group, in_migration


def update_editors(apps, schema_editor):
    in_migration(apps, editors_group)  # editors now manage conditions, body areas and codes


class Migration(migrations.Migration):
    dependencies = [("procedures", "0006_conditions_codes_former_addresses")]

    operations = [migrations.RunPython(update_editors, migrations.RunPython.noop)]
