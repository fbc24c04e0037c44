"""Background updates of pages (procedures.publishing.background), for editors to follow: a
read-only list with each update's progress, a box on the admin's home page while any is running
or has failed, and the message an editor gets when a save starts one."""

import datetime

from django.contrib import admin, messages
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy, ngettext

from procedures.models import RenderJob

from .lists import ReadOnlyAdmin

Status = RenderJob.Status
IN_WORDS = {
    Status.WAITING: gettext_lazy("Waiting"),
    Status.RUNNING: gettext_lazy("Re-rendering"),
    Status.DONE: gettext_lazy("Re-rendered"),
    Status.FAILED: gettext_lazy("Stopped"),
    Status.REPLACED: gettext_lazy("Replaced"),
}
FAILED_RECENTLY = datetime.timedelta(days=7)  # how long a failed update is shown on the admin's home page


def progress_in_words(job):
    """E.g. "Re-rendering: 370 of 1,000 pages"."""
    return ngettext("%(state)s: %(done)s of %(total)s page", "%(state)s: %(done)s of %(total)s pages", job.total) % {
        "state": IN_WORDS[job.status],
        "done": f"{job.done:,}",
        "total": f"{job.total:,}",
    }


def progress(job):
    return render_to_string("admin/procedures/renderjob/_progress.html", {"job": job, "words": progress_in_words(job)})


@admin.register(RenderJob)
class RenderJobAdmin(ReadOnlyAdmin):
    """Nobody changes these: the site writes them as it works through the pages."""

    list_display = ["what_changed", "progress", "status", "when", "who", "finished", "problem"]
    list_filter = ["status"]
    list_select_related = ["requested_by"]
    fields = ["what_changed", "progress", "status", "when", "who", "finished", "attempts", "last_error"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("what changed"), ordering="reason")
    def what_changed(self, job):
        return job.reason

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, job):
        return progress(job)

    @admin.display(description=gettext_lazy("when"), ordering="created_at")
    def when(self, job):
        return job.created_at

    @admin.display(description=gettext_lazy("finished"), ordering="finished_at")
    def finished(self, job):
        return job.finished_at

    @admin.display(description=gettext_lazy("by"), ordering="requested_by__username")
    def who(self, job):
        return job.requested_by.get_username() if job.requested_by else gettext("the site")

    @admin.display(description=gettext_lazy("last error"))
    def problem(self, job):
        return job.last_error if job.status == Status.FAILED else ""


def updates_to_show(user):
    """For the admin's home page: updates waiting or running, and those that failed lately."""
    if not user.has_perm("procedures.view_renderjob"):
        return None
    failed_lately = Q(status=Status.FAILED, created_at__gte=timezone.now() - FAILED_RECENTLY)
    jobs = RenderJob.objects.filter(Q(status__in=[Status.WAITING, Status.RUNNING]) | failed_lately)
    return [{"job": job, "words": progress_in_words(job)} for job in jobs[:10]]


def tell_editor(request, job):
    """Say what a save set going in the background, with a link to follow it."""
    if job is None:
        return
    count, pages = job.total, {"pages": f"{job.total:,}"}
    if job.status == Status.DONE:  # a backend that runs tasks at once
        messages.success(request, ngettext("%(pages)s page updated.", "%(pages)s pages updated.", count) % pages)
        return
    level = messages.INFO
    news = ngettext(
        "%(pages)s page is being updated in the background", "%(pages)s pages are being updated in the background", count
    )
    if job.status == Status.FAILED:
        level, news = messages.ERROR, ngettext("Updating %(pages)s page failed", "Updating %(pages)s pages failed", count)
    news %= pages
    if request.user.has_perm("procedures.view_renderjob"):
        link = reverse("admin:procedures_renderjob_changelist")
        see = format_html('<a href="{}">{}</a>', link, gettext("Background updates"))
        messages.add_message(request, level, format_html(gettext("{news}; see {link}."), news=news, link=see))
    else:
        messages.add_message(request, level, f"{news}.")


class TellsOfBackgroundUpdates:
    """For admins of things many pages show (tags, people, disclaimers): their saves and deletes
    re-render those pages in the background (procedures.publishing.content), and the editor is
    told so, with the number of pages."""

    def save_model(self, request, obj, form, change):
        started = timezone.now()
        super().save_model(request, obj, form, change)
        tell_of_updates_since(request, started)

    def delete_model(self, request, obj):
        started = timezone.now()
        super().delete_model(request, obj)
        tell_of_updates_since(request, started)


def tell_of_updates_since(request, started):
    """The updates this request's save started (the publishing layer records who asked, from the
    admin's revision, and does not hand the job back through ContentAdmin)."""
    for job in RenderJob.objects.filter(requested_by=request.user, created_at__gte=started):
        tell_editor(request, job)
