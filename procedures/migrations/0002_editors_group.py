from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
# Editors add and change what patients read; they do not delete pages or manage people.
EDITOR_PERMISSIONS = [
    ("procedures", "procedure", ["add", "change", "view"]),
    ("procedures", "author", ["add", "change", "view"]),
    ("procedures", "disclaimer", ["add", "change", "view"]),
    ("procedures", "specialty", ["add", "change", "view"]),
    # Related reading rows are edited inside the procedure form, removing one included.
    ("procedures", "relatedlink", ["add", "change", "delete", "view"]),
]


def grant(apps, group_name, permissions):
    """Give a group exactly these permissions (they are created here if post_migrate has not run yet)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    group.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, content_type__model=model, codename=f"{action}_{model}")
            for app, model, actions in permissions
            for action in actions
        ]
    )


def create_editors_group(apps, schema_editor):
    grant(apps, EDITORS, EDITOR_PERMISSIONS)


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("procedures", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
