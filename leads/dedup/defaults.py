"""The duplicate rules a new tenant starts with (migration 0007 holds a frozen copy; a test
keeps the two equal). Tenant admins change them in Settings."""

DEFAULT_RULES = [
    ("Same email address", [{"field": "email", "match": "exact", "threshold": 100}]),
    ("Same mobile or direct line", [{"field": "phone", "match": "exact", "threshold": 100}]),
    (
        "Similar company and name",
        [
            {"field": "company", "match": "fuzzy", "threshold": 85},
            {"field": "name", "match": "fuzzy", "threshold": 85},
        ],
    ),
    (
        "Shared switchboard and similar name",
        [
            {"field": "phone", "match": "fuzzy", "threshold": 70},
            {"field": "name", "match": "fuzzy", "threshold": 85},
        ],
    ),
    (
        "Shared mailbox and similar name",
        [
            {"field": "email", "match": "fuzzy", "threshold": 70},
            {"field": "name", "match": "fuzzy", "threshold": 85},
        ],
    ),
]


def default_rules_unsaved():
    """The defaults as unsaved DuplicateRule objects (for evaluations without a database)."""
    from leads.models import DuplicateRule

    return [
        DuplicateRule(name=name, fields=fields, position=i, action="warn")
        for i, (name, fields) in enumerate(DEFAULT_RULES, start=1)
    ]
