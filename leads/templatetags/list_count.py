"""How a list says a number it only estimated (selectors.lead_list_count above its exact limit)."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

#: Languages that name big numbers by ten thousands (万, 亿) rather than by thousands (million).
MYRIAD_LANGUAGES = ("zh", "ja", "ko")


def _two_significant_digits(value: int) -> int:
    digits = len(str(value))
    return round(value, 2 - digits) if digits > 2 else value


@register.filter
def about_number(value) -> str:
    """``{{ total.value|about_number }}``: an estimate rounded to two significant digits, in the
    words the reader's language has for big numbers: 1,234,567 reads "1.2 million" in English and
    "120 万" in Chinese; 123,456 reads "120,000" and "12 万"."""
    rounded = _two_significant_digits(int(value))
    if (get_language() or "").split("-")[0] in MYRIAD_LANGUAGES:
        scales = ((10**8, _("%(number)s hundred million")), (10**4, _("%(number)s ten thousand")))
    else:
        scales = ((10**9, _("%(number)s billion")), (10**6, _("%(number)s million")))
    for size, words in scales:
        if rounded >= size:
            amount = rounded / size
            shown = number_format(
                int(amount) if amount.is_integer() else amount, use_l10n=True, force_grouping=True
            )
            return words % {"number": shown}
    return number_format(rounded, use_l10n=True, force_grouping=True)
