"""Links that reach the lead from a phone: tel: for the numbers as people type them."""

import re

from django import template

register = template.Library()

# What follows an extension marker is dialled after the call connects, not as part of the
# number: "+1-439-866-6765x50802", "0755-8888 1234 ext. 12", "010-6552 8000 转 8001".
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|转|分机)\s*\d*\s*$", re.IGNORECASE)


@register.filter
def tel_href(number: str) -> str:
    """``tel:`` and the digits of ``number`` (a leading + kept, the extension dropped), or ""
    when nothing dialable is left. "+86 138-0013-8000" -> "tel:+8613800138000"."""
    main = _EXTENSION.sub("", number or "")
    digits = re.sub(r"\D", "", main)
    if not digits:
        return ""
    return f"tel:{'+' if main.strip().startswith('+') else ''}{digits}"
