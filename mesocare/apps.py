from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFilesTheSiteUses(StaticFilesConfig):
    """collectstatic leaves out the static files of what the site does not use: Django REST
    framework's browsable API (the API answers JSON only) and the admin's autocomplete boxes
    (select2, with its 59 translations: no admin has autocomplete_fields). They were half of
    the collected files, and WhiteNoise keeps an index of every one in each web worker
    (about 0.5 MiB for these)."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "rest_framework/*", "admin/*/vendor/select2/*"]
