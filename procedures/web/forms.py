from django import forms
from django.utils.translation import gettext_lazy

from procedures.models import Specialty


class SpecialtyFilterForm(forms.Form):
    specialty = forms.ModelChoiceField(
        queryset=Specialty.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("All specialties"),
        error_messages={"invalid_choice": gettext_lazy("We have no specialty by that name. Choose one from the list.")},
    )


class OEmbedForm(forms.Form):
    url = forms.CharField(
        max_length=2000, error_messages={"required": gettext_lazy("Give the address of a page: ?url=https://…")}
    )
    format = forms.CharField(required=False)
    maxwidth = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    maxheight = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def clean_format(self):
        return (self.cleaned_data["format"] or "json").lower()
