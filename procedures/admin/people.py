from django.contrib import admin
from django.utils.translation import gettext

from procedures.models import Author

from .background import TellsOfBackgroundUpdates
from .base import ContentAdmin
from .text_translations import ListsTranslations


@admin.register(Author)
class AuthorAdmin(ListsTranslations, TellsOfBackgroundUpdates, ContentAdmin):
    list_display = ["name", "credentials", "role", "is_qualified_reviewer"]
    list_filter = ["is_qualified_reviewer"]
    search_fields = ["name", "credentials", "role"]
    prepopulated_fields = {"slug": ["name"]}

    def get_fieldsets(self, request, obj=None):
        person = ["name", "slug", "credentials", "role", "is_qualified_reviewer"]
        if request.user.has_perm("auth.change_user"):
            person.append("user")  # linking logins is for whoever manages users
        return self.with_opened_version(
            [
                (None, {"fields": person}),
                (gettext("Photo"), {"fields": ["photo", "photo_alt"]}),
                (gettext("Biography"), {"fields": ["bio", "disclosure", "translations"]}),
            ]
        )
