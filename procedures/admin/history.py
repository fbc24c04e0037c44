"""Page history in the admin: every revision listed, compared word by word with the page as it
is now, and restored in one step (procedures.publishing.revisions does the work)."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from reversion.admin import VersionAdmin
from reversion.models import Version

from procedures.models import EditableContent
from procedures.publishing import revisions


class HistoryViews(VersionAdmin):
    object_history_template = "admin/procedures/object_history.html"
    recover_list_template = "admin/procedures/recover_list.html"

    # History: compare any revision with the page now, restore it in one step.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:version_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        versions = (
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision__user")
            .order_by("-revision__date_created", "-pk")
        )
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_compare"
        actions = [{"revision": v.revision, "compare_url": reverse(name, args=[object_id, v.pk])} for v in versions]
        return admin.ModelAdmin.history_view(self, request, object_id, {"action_list": actions, **(extra_context or {})})

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """django-reversion's own "revert" form would save an old version over whatever was saved
        since, unchecked: the History page's compare and restore take its place."""
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_compare", object_id, version_id)

    def version_or_404(self, request, object_id, version_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = Version.objects.get_for_model(self.model).select_related("revision__user")
        return get_object_or_404(versions, pk=version_id, object_id=unquote(object_id))

    def compare_view(self, request, object_id, version_id):
        version = self.version_or_404(request, object_id, version_id)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such page.")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compare with the version saved %(saved)s") % {"saved": revisions.describe(version)},
            "opts": self.opts,
            "original": obj,
            "version": version,
            "changes": revisions.compare_with_now(version, obj),
            "can_restore": self.has_change_permission(request, obj),
        }
        return TemplateResponse(request, "admin/procedures/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        version = self.version_or_404(request, object_id, version_id)
        compare = redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_compare", object_id, version_id)
        if request.method != "POST":
            return compare
        if not self.has_change_permission(request):
            raise PermissionDenied
        with transaction.atomic():  # the page's row is held from the check to the restore
            now = self.model.objects.select_for_update().filter(pk=version.object_id).first()
            refused = restore_refused(request, now)
            if refused:
                messages.error(request, refused)
                return compare
            try:
                obj = revisions.restore(version, request.user)
            except revisions.RestoreFailed as problem:
                messages.error(request, str(problem))
                return compare
        messages.success(
            request,
            gettext("Restored the version saved %(saved)s. It is saved as a new version.")
            % {"saved": revisions.describe(version)},
        )
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", obj.pk)


def restore_refused(request, now):
    """Why a restore must not go ahead: the page was saved after the editor compared it (or the
    request does not say which version they compared), so it would undo changes they never saw."""
    if not isinstance(now, EditableContent):
        return None  # a deleted page comes back; other kinds keep no edit version
    opened = request.POST.get("opened_version", "")
    if not opened.isdigit():
        return gettext(
            "This restore was sent without the version of the page it was compared with, so nothing was restored: "
            "it could have undone someone else's changes. The differences below are with the page as it is now; "
            "restore again if that version should still come back."
        )
    if int(opened) != now.edit_version:
        return gettext(
            "Someone else saved this page after you opened this comparison, so nothing was restored. The "
            "differences below are with the page as it is now; restore again if that version should still come back."
        )
    return None
