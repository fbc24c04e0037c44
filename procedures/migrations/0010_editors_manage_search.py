from django.db import migrations

from procedures.roles import editors_group, in_migration


def update_editors(apps, schema_editor):
    in_migration(apps, editors_group)  # editors manage synonyms and see searches that found nothing


class Migration(migrations.Migration):
    dependencies = [("procedures", "0009_search_indexes")]

    operations = [migrations.RunPython(update_editors, migrations.RunPython.noop)]
