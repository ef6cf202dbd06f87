"""The custom-field inputs of the customer, contact and opportunity forms."""

from leads.fields import custom_fields_active
from leads.forms.lead import custom_form_field


class CustomFieldsMixin:
    """A form with the record's active custom fields (``cf_<key>``), filled from the record's
    custom data; ``custom_values()`` gives {key: value} for the services."""

    custom_record = ""

    def custom_fields_add(self, current: dict | None) -> None:
        self.custom_definitions = custom_fields_active(self.custom_record)
        for definition in self.custom_definitions:
            name = f"cf_{definition.key}"
            self.fields[name] = custom_form_field(definition)
            if current and definition.key in current:
                self.initial[name] = current[definition.key]

    @property
    def custom_field_names(self) -> list[str]:
        return [f"cf_{d.key}" for d in self.custom_definitions]

    def custom_values(self) -> dict:
        return {d.key: self.cleaned_data.get(f"cf_{d.key}") for d in self.custom_definitions}
