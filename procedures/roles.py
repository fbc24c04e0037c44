"""The groups staff belong to, and exactly what each may do."""

from django.apps import apps as installed_apps
from django.contrib.auth.management import create_permissions

EDITORS = "Editors"

# Editors add and change what patients read; they do not delete pages or manage people.
# Related reading rows are edited inside the procedure form, removing one included.
EDITOR_PERMISSIONS = {
    "procedure": ["add", "change", "view"],
    "author": ["add", "change", "view"],
    "disclaimer": ["add", "change", "view"],
    "specialty": ["add", "change", "view"],
    "relatedlink": ["add", "change", "delete", "view"],
}


def editors_group(apps=installed_apps):
    """The Editors group with exactly its permissions; made if missing.

    Takes a migration's `apps` too, so the data migration and `createeditor` share it.
    """
    for app_config in apps.get_app_configs():
        # Permissions are normally made after migrating; a migration needs them now.
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    codenames = [f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions]
    group.permissions.set(Permission.objects.filter(content_type__app_label="procedures", codename__in=codenames))
    return group
