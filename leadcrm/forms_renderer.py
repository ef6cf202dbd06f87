from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_noop


class FormRenderer(TemplatesSetting):
    """Render every field through templates/forms/field.html (label, widget, help, errors)."""

    field_template_name = "forms/field.html"


# Django's own label for an empty choice, which its catalogue does not translate into
# Simplified Chinese yet: kept here so makemessages puts it in ours (LOCALE_PATHS win).
BLANK_CHOICE_LABEL = gettext_noop("- Select an option -")
