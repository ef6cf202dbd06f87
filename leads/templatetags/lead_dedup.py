"""Duplicate evidence and rule names for the duplicate pages, in the reader's language."""

from django import template

from leads.dedup.explain import evidence_phrases
from leads.models.dedup import default_rule_label

register = template.Library()


@register.filter
def evidence(explained):
    """[(level, sentence)] for a match's or a group's evidence."""
    return evidence_phrases(explained)


@register.filter
def rule_labels(names) -> str:
    """A scan group's rule names, the default ones in the reader's language."""
    return ", ".join(default_rule_label(name) for name in names or ())
