import re

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from procedures.models import Author, Procedure
from procedures.publishing.revisions import changed_since
from procedures.text.markdown import cited_numbers

LINE_ENDING = re.compile(r"\r\n?")


class ContentForm(forms.ModelForm):
    """The admin's form for what editors write. Browsers send a text box's lines ending in CR LF:
    they are kept ending in LF, as content/ files hold them, so a round trip through content/
    changes nothing."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = LINE_ENDING.sub("\n", value)
        return cleaned


class OneEditorAtATimeForm(ContentForm):
    """The admin's form for pages: refuses to save over changes someone else saved meanwhile.

    It carries the page's edit_version from when the editor opened it (opened_version). If another save came
    in between, the form shows what changed and keeps everything the editor typed; its
    edit_version moves on, so saving again (after taking the other changes in) goes through.
    A change sent without opened_version (a form from an old page, a script, a tampered form)
    is refused the same way: nobody can tell what it would overwrite.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    changed_meanwhile = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        saved = type(self.instance).objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        if saved is None:
            return cleaned  # a new page: nothing to overwrite
        started_from = cleaned.get("opened_version")
        if started_from is None:
            self.errors.pop("opened_version", None)  # a hidden field: the message below says it all
            self.continue_from(saved)
            raise forms.ValidationError(
                gettext(
                    "This form was sent without the version of the page it was opened from, so your changes were "
                    "not saved: they could have overwritten someone else's. Everything you typed is still below. "
                    "Check the page as it is now (open it in another tab), add anything you need, then save again."
                ),
                code="edit_version_missing",
            )
        if saved.edit_version != started_from:
            self.changed_meanwhile = changed_since(saved, started_from)
            self.continue_from(saved)
            raise forms.ValidationError(
                gettext(
                    "Someone else saved this page after you opened it, so your changes were not saved yet. "
                    "Everything you typed is still below. Their changes are listed above: add them to your text "
                    "if they should stay, then save again."
                ),
                code="edit_conflict",
            )
        return cleaned

    def continue_from(self, saved):
        """The form shown again starts from the page as saved now, so the next save goes through."""
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_version")] = saved.edit_version


class ProcedureForm(OneEditorAtATimeForm):
    """The admin's procedure form, with the change note patients see in the page's history."""

    is_content_change = forms.BooleanField(
        required=False,
        label=gettext_lazy("This changes what patients read"),
        help_text=gettext_lazy(
            "Tick for a real change (new advice, corrected facts); leave it for typo fixes. "
            "A content change moves “Last updated” and adds your note to the page’s history."
        ),
    )
    change_note = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("What changed, in one line"),
        help_text=gettext_lazy("Shown on the page, e.g. “Added advice on bruising”."),
    )

    class Meta:
        model = Procedure
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose which fields show)
        widgets = {
            "specialties": forms.CheckboxSelectMultiple,
            "conditions": forms.CheckboxSelectMultiple,
            "body_areas": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_content_change") and not cleaned.get("change_note", "").strip():
            self.add_error("change_note", gettext("Say in one line what changed for patients: it is shown on the page."))
        return cleaned


class CitationsCheck(forms.BaseInlineFormSet):
    """References inline: every [^N] in the page's text must have a reference N."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        count = sum(1 for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE"))
        for field, title, _ in Procedure.SECTIONS:
            missing = sorted(number for number in cited_numbers(getattr(self.instance, field)) if not 1 <= number <= count)
            if missing:
                cited = ", ".join(f"[^{n}]" for n in missing)
                raise forms.ValidationError(
                    ngettext(
                        "“%(section)s” cites reference %(cited)s, but the page lists %(count)d reference. "
                        "Add it below or change the citation.",
                        "“%(section)s” cites reference %(cited)s, but the page lists %(count)d references. "
                        "Add it below or change the citation.",
                        count,
                    )
                    % {"section": gettext(title), "cited": cited, "count": count}
                )


def review_on_record(procedure):
    """The page's review as it stands, in a form's hidden field."""
    return f"{procedure.reviewer_id or ''}/{procedure.last_reviewed or ''}/{getattr(procedure, 'next_review_due', '') or ''}"


class ReviewForm(forms.Form):
    """Recording a medical review: who checked the page, when, and when it is next due.

    A review replaces the page's last one, so, like a page's form, it carries the review the
    page had when the reviewer opened it (opened_review): a review recorded by someone else
    meanwhile is never replaced unseen."""

    opened_review = forms.CharField(widget=forms.HiddenInput, required=False)
    reviewer = forms.ModelChoiceField(
        queryset=Author.objects.filter(is_qualified_reviewer=True),
        label=gettext_lazy("Medical reviewer"),
        help_text=gettext_lazy("Only authors marked as qualified to review medical pages are listed."),
    )
    reviewed_on = forms.DateField(label=gettext_lazy("Reviewed on"), widget=forms.DateInput(attrs={"type": "date"}))
    next_review_due = forms.DateField(
        required=False,
        label=gettext_lazy("Next review due"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, procedure, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        months = settings.REVIEW_INTERVAL_MONTHS
        if "next_review_due" in self.fields:  # a translation's form has none
            self.fields["next_review_due"].help_text = ngettext(
                "Leave empty for the usual interval (%(months)d month after the review).",
                "Leave empty for the usual interval (%(months)d months after the review).",
                months,
            ) % {"months": months}
        self.fields["opened_review"].initial = review_on_record(procedure)

    def clean_reviewed_on(self):
        reviewed_on = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise forms.ValidationError(gettext("A review cannot be recorded for a date in the future."))
        if reviewed_on.year < 2000:
            raise forms.ValidationError(gettext("That date looks wrong: give the day the page was checked."))
        return reviewed_on

    def clean(self):
        cleaned = super().clean()
        self.check_nobody_reviewed_meanwhile(cleaned.get("opened_review"))
        reviewed_on = cleaned.get("reviewed_on")
        if reviewed_on and not cleaned.get("next_review_due"):
            cleaned["next_review_due"] = reviewed_on + relativedelta(months=settings.REVIEW_INTERVAL_MONTHS)
        if reviewed_on and cleaned["next_review_due"] <= reviewed_on:
            self.add_error("next_review_due", gettext("The next review must be due after this one."))
        return cleaned

    def check_nobody_reviewed_meanwhile(self, opened):
        now = review_on_record(self.procedure)
        if opened == now:
            return
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_review")] = now  # shown again, the form can be sent as it is
        if not opened:
            raise forms.ValidationError(
                gettext(
                    "This form was sent without the review the page had when it was opened, so your review was not "
                    "recorded: it could have replaced one someone else recorded. Your entries are still below: check "
                    "the page's last review above, then record yours again."
                ),
                code="review_missing",
            )
        last = self.procedure
        if not last.last_reviewed:
            raise forms.ValidationError(
                gettext(
                    "Another medical review was recorded for this page after you opened this form, so yours was "
                    "not recorded yet. Your entries are still below: record yours again if it should replace that one."
                ),
                code="review_conflict",
            )
        raise forms.ValidationError(
            gettext(
                "Another medical review was recorded for this page after you opened this form (%(reviewer)s on "
                "%(date)s), so yours was not recorded yet. Your entries are still below: record yours again if it "
                "should replace that one."
            )
            % {"reviewer": last.reviewer, "date": date_format(last.last_reviewed, "j F Y")},
            code="review_conflict",
        )


class TranslationReviewForm(ReviewForm):
    """Recording a translation's medical review: who checked it and when (it is due again with its page)."""

    next_review_due = None

    def clean(self):
        cleaned = forms.Form.clean(self)
        self.check_nobody_reviewed_meanwhile(cleaned.get("opened_review"))
        return cleaned
