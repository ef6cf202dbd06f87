"""The duplicate rules a new tenant starts with (migration 0007 holds a frozen copy of the
first five, migration 0037 adds the others to existing tenants; a test keeps them equal).
Tenant admins change them in Settings.

Each rule names the fields that must agree and how sure the evidence over every field must
be (``min_score``, leads.dedup.evidence). The two exact rules (the same personal e-mail
address, the same mobile) hold whatever else differs (minimum 0): the score then says how
sure, and the explanation what disagrees. The similar rules ask for more likely than not
(50), so disagreeing fields (another mobile, another city) overrule a look-alike name.
"Strong overall evidence" names no field: the score alone, 80 or more."""

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

#: Added in 0037: (name, fields, min_score).
ADDRESS_RULES = [
    (
        "Same name at the same address",
        [
            {"field": "name", "match": "fuzzy", "threshold": 85},
            {"field": "address", "match": "fuzzy", "threshold": 85},
        ],
        50,
    ),
    (
        "Same name, same postcode, similar street",
        [
            {"field": "name", "match": "fuzzy", "threshold": 85},
            {"field": "postcode", "match": "exact", "threshold": 100},
            {"field": "address", "match": "fuzzy", "threshold": 70},
        ],
        50,
    ),
    ("Strong overall evidence", [], 80),
]

#: Every default rule as (name, fields, min_score), in order.
ALL_DEFAULT_RULES = [
    (name, fields, 0 if all(f["match"] == "exact" for f in fields) else 50)
    for name, fields in DEFAULT_RULES
] + ADDRESS_RULES


def default_rules_unsaved():
    """The defaults as unsaved DuplicateRule objects (for evaluations without a database)."""
    from leads.models import DuplicateRule

    return [
        DuplicateRule(name=name, fields=fields, position=i, action="warn", min_score=min_score)
        for i, (name, fields, min_score) in enumerate(ALL_DEFAULT_RULES, start=1)
    ]
