from django.db import migrations

from procedures.roles import MEDICAL_REVIEWERS, editors_group, in_migration, medical_reviewers_group


def update_groups(apps, schema_editor):
    # Editors gain the new content (glossary, site pages, references, history); reviewers are new.
    in_migration(apps, editors_group, medical_reviewers_group)


def remove_medical_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=MEDICAL_REVIEWERS).delete()


class Migration(migrations.Migration):
    dependencies = [("procedures", "0004_review_sources_glossary_readability")]

    operations = [migrations.RunPython(update_groups, remove_medical_reviewers)]
