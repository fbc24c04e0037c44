from django import forms

from .models import Specialty


class SpecialtyFilterForm(forms.Form):
    specialty = forms.ModelChoiceField(
        queryset=Specialty.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="All specialties",
        error_messages={"invalid_choice": "We have no specialty by that name. Choose one from the list."},
    )
