"""Form fields every app uses for values that must stay within sane bounds."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leadcrm.parsing import DATE_YEARS, DUE_YEARS, year_within

OUT_OF_RANGE = _("Choose a date between %(first)d and %(last)d.")


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time within ``years`` (a follow-up, a due date: 2000-2100 by default); the
    browser's picker is bounded too. The browser's own picker lets a person pick year 1."""

    def __init__(self, *, years: tuple[int, int] = DUE_YEARS, **kwargs):
        self.years = years
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(
                attrs={
                    "type": "datetime-local",
                    "min": f"{years[0]:04d}-01-01T00:00",
                    "max": f"{years[1]:04d}-12-31T23:59",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value is not None and not year_within(value, self.years):
            raise forms.ValidationError(
                OUT_OF_RANGE,
                code="out_of_range",
                params={"first": self.years[0], "last": self.years[1]},
            )
        return value


class BoundedDateField(forms.DateField):
    """A date within ``years`` (1900-2100 by default), the browser's picker bounded too."""

    def __init__(self, *, years: tuple[int, int] = DATE_YEARS, **kwargs):
        self.years = years
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                attrs={
                    "type": "date",
                    "min": f"{years[0]:04d}-01-01",
                    "max": f"{years[1]:04d}-12-31",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value is not None and not year_within(value, self.years):
            raise forms.ValidationError(
                OUT_OF_RANGE,
                code="out_of_range",
                params={"first": self.years[0], "last": self.years[1]},
            )
        return value
