from django.db import migrations

from procedures.roles import EDITORS, editors_group


def create_editors_group(apps, schema_editor):
    stubs = list(apps.get_app_configs())
    for app_config in stubs:
        app_config.models_module = True  # historical app configs have none; create_permissions needs one
    editors_group(apps)
    for app_config in stubs:
        app_config.models_module = None


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
