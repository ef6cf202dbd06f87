"""Masking of contact details: 138****5678, a****@example.com.

Which leads are masked for whom is decided by hooks (pools: unclaimed pooled leads for
non-admins, see leads.selectors.contacts_masked_q); this module only hides the characters.
"""

MASKED_FIELDS = ("email", "phone", "mobile")


def mask_phone(value: str) -> str:
    """Keep the first three and last four digits: "+86 138 0013 8000" -> "+86138****8000"."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = [c for c in value if c.isdigit()]
    prefix = "+" if value.startswith("+") else ""
    if len(digits) <= 7:
        return prefix + "*" * len(digits)
    return prefix + "".join(digits[:3]) + "****" + "".join(digits[-4:])


def mask_email(value: str) -> str:
    """Keep the first letter and the domain: "alice@example.com" -> "a****@example.com"."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return value[:1] + "****"
    return f"{local[:1]}****@{domain}"


def mask_value(field: str, value: str) -> str:
    return mask_email(value) if field == "email" else mask_phone(value)
