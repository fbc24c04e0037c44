"""Texts about the site: disclaimers, and pages such as "About our content" and "Privacy"."""

from django.contrib import admin

from procedures.models import Disclaimer, SitePage

from .background import TellsOfBackgroundUpdates
from .base import ContentAdmin
from .text_translations import ListsTranslations


@admin.register(Disclaimer)
class DisclaimerAdmin(ListsTranslations, TellsOfBackgroundUpdates, ContentAdmin):
    list_display = ["title", "is_default"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "is_default", "body", "translations"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_default:
            return False  # the site always has a default disclaimer
        return super().has_delete_permission(request, obj)


@admin.register(SitePage)
class SitePageAdmin(ListsTranslations, ContentAdmin):
    list_display = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "body", "translations"]
