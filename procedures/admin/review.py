"""Medical review in the admin: recording a review (medical reviewers only), what is due, and
the "Reviews due" list."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from procedures.models import ReviewSchedule, ReviewState
from procedures.publishing import review

from .forms import ReviewForm
from .lists import ReadOnlyAdmin


class ReviewStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("medical review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return ReviewState.choices

    def queryset(self, request, queryset):
        if self.value() in ReviewState.values:
            return queryset.in_review_state(self.value())
        return queryset


@admin.display(description=gettext_lazy("next review due"), ordering="next_review_due")
def review_due(procedure):
    if procedure.next_review_due is None:
        return ReviewState.NOT_REVIEWED.label
    state = procedure.review_state
    due = date_format(procedure.next_review_due, "j M Y")
    if state in (ReviewState.OVERDUE, ReviewState.DUE_SOON):
        return format_html('<strong class="review-{}">{} ({})</strong>', state, due, state.label.lower())
    return due


class ReviewViews:
    """For the procedure admin: the "Record a medical review" page."""

    def review_urls(self):
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.record_review_view),
                name="procedures_procedure_review",
            ),
        ]

    def record_review_view(self, request, object_id):
        procedure = self.get_object(request, unquote(object_id))
        if procedure is None:
            raise Http404("No such page.")
        if not request.user.has_perm("procedures.record_review"):
            raise PermissionDenied(gettext("Only medical reviewers can record a review."))
        own_profile = getattr(request.user, "author_profile", None)
        initial = {"reviewed_on": timezone.localdate(), "reviewer": own_profile if own_profile else procedure.reviewer}
        form = ReviewForm(request.POST or None, initial=initial, procedure=procedure)
        if request.method == "POST" and form.is_valid():
            review.record_review(
                procedure,
                reviewer=form.cleaned_data["reviewer"],
                reviewed_on=form.cleaned_data["reviewed_on"],
                next_review_due=form.cleaned_data["next_review_due"],
                by=request.user,
            )
            messages.success(
                request,
                gettext("Review of “%(page)s” recorded. Next review due %(due)s.")
                % {"page": procedure, "due": date_format(procedure.next_review_due, "d F Y")},
            )
            return redirect("admin:procedures_procedure_change", procedure.pk)
        return review_page(self, request, procedure, form)


def review_page(model_admin, request, reviewed, form):
    """The "Record a medical review" page of a procedure or a translation."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Record a medical review: %(page)s") % {"page": reviewed},
        "opts": model_admin.opts,
        "original": reviewed,
        "form": form,
    }
    return TemplateResponse(request, "admin/procedures/procedure/record_review.html", context)


@admin.register(ReviewSchedule)
class ReviewScheduleAdmin(ReadOnlyAdmin):
    """Every page by when its next medical review is due, soonest (and never reviewed) first."""

    list_display = ["title", "status", "reviewer", "last_reviewed", review_due, "record_review"]
    list_filter = [ReviewStateFilter, "status", "reviewer"]
    list_select_related = ["reviewer"]

    @admin.display(description="")
    def record_review(self, procedure):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:procedures_procedure_change", args=[procedure.pk]),
            gettext("Open page"),
            reverse("admin:procedures_procedure_review", args=[procedure.pk]),
            gettext("Record a review"),
        )
