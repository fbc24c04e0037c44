"""Lists the site keeps by itself, for editors to read: searches that found nothing and the audit log."""

from django.contrib import admin

from procedures.models import AuditEntry, UnansweredSearch


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists the site keeps by itself: people read them, nobody adds, changes or deletes rows."""

    list_display_links = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(ReadOnlyAdmin):
    """What patients looked for and did not find: a list of pages to write next. Words only."""

    list_display = ["query", "count", "first_searched", "last_searched"]
    list_display_links = ["query"]
    search_fields = ["query"]
    date_hierarchy = "last_searched"

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)  # editors may clear the list


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only for everyone: the site writes it, nobody changes it."""

    list_display = ["at", "who", "action", "page", "detail"]
    list_filter = ["action", "who", "page"]
    search_fields = ["page", "who", "detail"]
    date_hierarchy = "at"
