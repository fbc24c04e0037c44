from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.utils import timezone

from procedures.models import Author, Procedure
from procedures.publishing.revisions import changed_since
from procedures.text.markdown import cited_numbers


class OneEditorAtATimeForm(forms.ModelForm):
    """The admin's form for pages: refuses to save over changes someone else saved meanwhile.

    It carries the page's edit_version from when the editor opened it (opened_version). If another save came
    in between, the form shows what changed and keeps everything the editor typed; its
    edit_version moves on, so saving again (after taking the other changes in) goes through.
    """

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    changed_meanwhile = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        started_from = cleaned.get("opened_version")
        if not self.instance.pk or started_from is None:
            return cleaned
        saved = type(self.instance).objects.filter(pk=self.instance.pk).first()
        if saved is not None and saved.edit_version != started_from:
            self.changed_meanwhile = changed_since(saved, started_from)
            self.data = self.data.copy()
            self.data[self.add_prefix("opened_version")] = saved.edit_version
            raise forms.ValidationError(
                "Someone else saved this page after you opened it, so your changes were not saved yet. "
                "Everything you typed is still below. Their changes are listed above: add them to your text "
                "if they should stay, then save again.",
                code="edit_conflict",
            )
        return cleaned


class ProcedureForm(OneEditorAtATimeForm):
    """The admin's procedure form, with the change note patients see in the page's history."""

    is_content_change = forms.BooleanField(
        required=False,
        label="This changes what patients read",
        help_text="Tick for a real change (new advice, corrected facts); leave it for typo fixes. "
        "A content change moves “Last updated” and adds your note to the page’s history.",
    )
    change_note = forms.CharField(
        required=False,
        max_length=200,
        label="What changed, in one line",
        help_text="Shown on the page, e.g. “Added advice on bruising”.",
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
            self.add_error("change_note", "Say in one line what changed for patients: it is shown on the page.")
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
                raise forms.ValidationError(
                    f"“{title}” cites reference {', '.join(f'[^{n}]' for n in missing)}, "
                    f"but the page lists {count} reference{'s' if count != 1 else ''}. Add it below or change the citation."
                )


class ReviewForm(forms.Form):
    """Recording a medical review: who checked the page, when, and when it is next due."""

    reviewer = forms.ModelChoiceField(
        queryset=Author.objects.filter(is_qualified_reviewer=True),
        label="Medical reviewer",
        help_text="Only authors marked as qualified to review medical pages are listed.",
    )
    reviewed_on = forms.DateField(label="Reviewed on", widget=forms.DateInput(attrs={"type": "date"}))
    next_review_due = forms.DateField(
        required=False,
        label="Next review due",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"Leave empty for the usual interval ({settings.REVIEW_INTERVAL_MONTHS} months after the review).",
    )

    def clean_reviewed_on(self):
        reviewed_on = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise forms.ValidationError("A review cannot be recorded for a date in the future.")
        if reviewed_on.year < 2000:
            raise forms.ValidationError("That date looks wrong: give the day the page was checked.")
        return reviewed_on

    def clean(self):
        cleaned = super().clean()
        reviewed_on = cleaned.get("reviewed_on")
        if reviewed_on and not cleaned.get("next_review_due"):
            cleaned["next_review_due"] = reviewed_on + relativedelta(months=settings.REVIEW_INTERVAL_MONTHS)
        if reviewed_on and cleaned["next_review_due"] <= reviewed_on:
            self.add_error("next_review_due", "The next review must be due after this one.")
        return cleaned
