"""Short, readable times for dense tables: "3 hours ago", "in 2 days"."""

from django import template
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.fields import custom_fields_active
from leads.masking import mask_email, mask_phone

register = template.Library()


@register.filter
def ago(value):
    """One unit only ("4 days ago" rather than "4 days, 4 hours ago"); future times read
    "in 2 days"."""
    if not value:
        return ""
    now = timezone.now()
    if value > now:
        return _("in %(delta)s") % {"delta": timeuntil(value, now, depth=1)}
    if (now - value).total_seconds() < 60:
        return _("just now")
    return _("%(delta)s ago") % {"delta": timesince(value, now, depth=1)}


@register.filter
def custom_field_rows(lead):
    """(label, display value) for each active custom field, in order."""
    rows = []
    for definition in custom_fields_active():
        value = lead.custom_data.get(definition.key)
        if isinstance(value, list):
            value = ", ".join(value)
        elif isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((definition.label, value))
    return rows


SCORE_BANDS = {
    "hot": gettext_lazy("Hot"),
    "warm": gettext_lazy("Warm"),
    "cold": gettext_lazy("Cold"),
}


@register.filter
def score_band(score, lead_settings):
    """``{{ lead.score|score_band:lead_settings }}``: "Hot", "Warm" or "Cold" by the tenant's
    thresholds (the page loads LeadSettings once and passes it), for the meters' text."""
    if score is None or not hasattr(lead_settings, "score_band"):
        return ""
    return SCORE_BANDS[lead_settings.score_band(score)]


@register.filter
def masked_email(value, masked):
    """``{{ lead.email|masked_email:lead.contacts_masked }}``: a****@example.com if masked."""
    return mask_email(value) if masked else value


@register.filter
def masked_phone(value, masked):
    return mask_phone(value) if masked else value
