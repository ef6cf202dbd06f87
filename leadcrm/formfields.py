"""Form fields every app uses for values that must stay within sane bounds."""

from django import forms
from django.utils.translation import gettext_lazy as _

from leadcrm.parsing import DATE_YEARS, DUE_YEARS, year_within

OUT_OF_RANGE = _("Choose a date between %(first)d and %(last)d.")


class _YearsBounded:
    """A date or datetime field whose value must fall in ``years``; its widget bounds the
    browser's picker (which otherwise lets a person pick year 1) with ``min`` and ``max``."""

    input_type = ""
    #: The picker's bounds, from the first and the last year.
    bounds = ("", "")

    def __init__(self, *, years: tuple[int, int], **kwargs):
        self.years = years
        low, high = self.bounds
        attrs = {"type": self.input_type, "min": low % years[0], "max": high % years[1]}
        kwargs.setdefault("widget", self.widget(attrs=attrs))
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


class BoundedDateTimeField(_YearsBounded, forms.DateTimeField):
    """A date and time within ``years`` (a follow-up, a due date: 2000-2100 by default)."""

    input_type = "datetime-local"
    bounds = ("%04d-01-01T00:00", "%04d-12-31T23:59")

    def __init__(self, *, years: tuple[int, int] = DUE_YEARS, **kwargs):
        super().__init__(years=years, **kwargs)


class BoundedDateField(_YearsBounded, forms.DateField):
    """A date within ``years`` (1900-2100 by default)."""

    input_type = "date"
    bounds = ("%04d-01-01", "%04d-12-31")

    def __init__(self, *, years: tuple[int, int] = DATE_YEARS, **kwargs):
        super().__init__(years=years, **kwargs)
