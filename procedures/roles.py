"""The groups staff belong to, and exactly what each may do."""

from django.apps import apps as installed_apps
from django.contrib.auth.management import create_permissions
from django.db.models import Q

EDITORS = "Editors"
MEDICAL_REVIEWERS = "Medical reviewers"

# Editors add and change what patients read; they do not delete pages, record medical
# reviews or manage people. Rows edited inside the procedure form (related reading,
# references, history notes) can be removed there too.
EDITOR_PERMISSIONS = {
    "procedure": ["add", "change", "view"],
    "author": ["add", "change", "view"],
    "disclaimer": ["add", "change", "view"],
    "specialty": ["add", "change", "view"],
    "glossaryterm": ["add", "change", "view"],
    "condition": ["add", "change", "view"],
    "bodyarea": ["add", "change", "view"],
    "conditioncode": ["add", "change", "delete", "view"],
    "procedurecode": ["add", "change", "delete", "view"],
    "synonym": ["add", "change", "delete", "view"],
    "unansweredsearch": ["view", "delete"],
    "auditentry": ["view"],
    "sitepage": ["add", "change", "view"],
    "relatedlink": ["add", "change", "delete", "view"],
    "reference": ["add", "change", "delete", "view"],
    "changenote": ["add", "change", "delete", "view"],
    "proceduretranslation": ["add", "change", "view"],
    "reviewschedule": ["view"],
    "renderjob": ["view"],  # background updates of pages: their progress and failures
    # Translations of the site's other texts (a translation that is no longer wanted is kept
    # as a draft or out of date: deleting is for whoever manages the site).
    **dict.fromkeys(
        [
            "disclaimertranslation",
            "sitepagetranslation",
            "authortranslation",
            "glossarytermtranslation",
            "specialtytranslation",
            "conditiontranslation",
            "bodyareatranslation",
        ],
        ["add", "change", "view"],
    ),
}

# Medical reviewers check pages and record that they did; editing text is the editors' job
# (a person can be in both groups).
MEDICAL_REVIEWER_PERMISSIONS = {
    "procedure": ["view", "record_review"],
    "author": ["view"],
    "reference": ["view"],
    "relatedlink": ["view"],
    "changenote": ["view"],
    "proceduretranslation": ["view"],
    "reviewschedule": ["view"],
    "auditentry": ["view"],
    "renderjob": ["view"],
}


def in_migration(apps, *make_groups):
    """Run group makers from a data migration, whose historical app configs lack models_module."""
    stubs = list(apps.get_app_configs())
    for app_config in stubs:
        app_config.models_module = True  # create_permissions skips app configs without one
    for make_group in make_groups:
        make_group(apps)
    for app_config in stubs:
        app_config.models_module = None


def editors_group(apps=installed_apps):
    """The Editors group with exactly its permissions; made if missing.

    Takes a migration's `apps` too, so data migrations and `createeditor` share it.
    """
    return _group(apps, EDITORS, EDITOR_PERMISSIONS)


def medical_reviewers_group(apps=installed_apps):
    return _group(apps, MEDICAL_REVIEWERS, MEDICAL_REVIEWER_PERMISSIONS)


def _group(apps, name, permissions):
    for app_config in apps.get_app_configs():
        # Permissions are normally made after migrating; a migration needs them now.
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=name)
    wanted = Q()
    for model, actions in permissions.items():
        codenames = [action if action == "record_review" else f"{action}_{model}" for action in actions]
        wanted |= Q(content_type__model=model, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted, content_type__app_label="procedures"))
    return group
