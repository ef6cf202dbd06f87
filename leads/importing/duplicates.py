"""Duplicates of import rows, decided by the tenant's duplicate rules, a batch at a time.

The rules are the ones every channel uses (Settings → Duplicate rules) and the scoring is the
live check's (``leads.dedup.matching.best_match``); only the way candidates are found differs.
For a batch of rows one query fetches the existing leads that share a candidate key with any
row: the email, a phone number, the normalised company, the normalised name, each only when an
active rule uses that field. Inside the file, earlier rows are indexed by the same keys.

A typo in the company or name of an existing lead changes those keys; the blocking keys
(leads.identity.keys.block_keys: the company's halves, name words with the postcode or the
company, house numbers with the postcode or the city) are stored on every lead with a GIN
index and looked up for the whole batch in one statement. Per-row trigram searches (the live
check's) would cost about 10 ms each at a million leads, 17 minutes for a 100,000-row file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection

from leads.dedup.matching import (
    StoredFrequencies,
    best_match,
    rule_fields_used,
    rule_level,
    rules_active,
)
from leads.dedup.profiles import lead_profile, profile
from leads.models import DEDUP_KEY_FIELDS, DuplicateRule, Lead, LeadStatus

#: Existing leads fetched per blocking key (a key many leads share, a big company's first
#: characters, is a poor candidate list anyway; the scan compares them all).
BLOCK_CANDIDATES = 20
_BLOCKED_SQL = (
    "SELECT found.id FROM unnest(%s::varchar[]) AS wanted(key) CROSS JOIN LATERAL "
    "(SELECT id FROM leads_lead WHERE block_keys @> ARRAY[wanted.key]::varchar[] LIMIT %s) "
    "AS found"
)
#: Earlier rows of the file kept per key (a list with 300 people of one company compares a
#: row with the last 50 of them; the scan catches the rest).
FILE_CANDIDATES_PER_KEY = 50


@dataclass
class RowMatch:
    rule: DuplicateRule
    score: int
    lead: Lead | None = None  # an existing lead ...
    row_number: int | None = None  # ... or an earlier row of the file
    #: With ``lead``: the earlier row of the file this row also repeats (that row already
    #: updated or flagged the lead, so this one must not do it again).
    repeats_row: int | None = None

    @property
    def blocks(self) -> bool:
        return self.rule.action == DuplicateRule.Action.BLOCK


def _number(key: str) -> str:
    return key.split(";", 1)[0]


class RowMatcher:
    """Matches rows against the tenant and the file's earlier rows (one instance per run)."""

    def __init__(self, rules: list[DuplicateRule] | None = None):
        self.rules = rules_active() if rules is None else rules
        self.fields = rule_fields_used(self.rules)
        self.frequencies = StoredFrequencies()
        self._seen: dict[str, list[tuple[int, dict]]] = defaultdict(list)

    def candidate_keys(self, keys: dict) -> list[str]:
        out = []
        if "email" in self.fields and keys["email_key"]:
            out.append("e:" + keys["email_key"])
        if "phone" in self.fields:
            for key in {_number(keys[f]) for f in ("phone_key", "mobile_key") if keys[f]}:
                out.append("p:" + key)
        if "company" in self.fields and keys["company_key"]:
            out.append("c:" + keys["company_key"])
        if "name" in self.fields and keys["name_key"]:
            out.append("n:" + keys["name_key"])
        if "address" in self.fields and keys["address_key"]:
            out.append("a:" + keys["address_key"])
        if self.fields & {"name", "company", "address"}:
            out += ["b:" + key for key in keys.get("block_keys") or ()]
        return out

    def existing(self, batch_keys: list[dict]) -> dict[str, list[Lead]]:
        """The tenant's leads by candidate key, for a batch of rows' keys (an indexed query per
        key column, then one for the leads)."""
        if not self.rules:
            return {}
        wanted = {k for keys in batch_keys for k in self.candidate_keys(keys)}
        by_kind = defaultdict(set)
        for key in wanted:
            kind, value = key.split(":", 1)
            by_kind[kind].add(value)
        # One query per key column, each with the partial index's own predicate (key <> ''):
        # Postgres cannot prove it from an IN list of over 100 values and would scan the table.
        lookups = []
        if by_kind["e"]:
            lookups.append(("email_key", by_kind["e"]))
        if by_kind["p"]:
            # Stored keys may carry an extension ("+86...;8001"): the rows' own keys find
            # those with the same extension (an index lookup; the scan finds the others).
            phones = by_kind["p"] | {
                keys[f] for keys in batch_keys for f in ("phone_key", "mobile_key") if keys[f]
            }
            lookups += [("phone_key", phones), ("mobile_key", phones)]
        if by_kind["c"]:
            lookups.append(("company_key", by_kind["c"]))
        if by_kind["n"]:
            lookups.append(("name_key", by_kind["n"]))
        if by_kind["a"]:
            lookups.append(("address_key", by_kind["a"]))
        ids: set[int] = set(self._blocked(by_kind["b"]))
        for column, values in lookups:
            ids.update(
                Lead.objects.filter(**{f"{column}__in": sorted(values)})
                .exclude(**{column: ""})
                .values_list("pk", flat=True)
            )
        found: dict[str, list[Lead]] = defaultdict(list)
        leads = Lead.objects.filter(pk__in=sorted(ids), merged_into__isnull=True).exclude(
            status=LeadStatus.VOID
        )
        for lead in leads.order_by("pk"):
            for key in self.candidate_keys({k: getattr(lead, k) for k in DEDUP_KEY_FIELDS}):
                if key in wanted:
                    found[key].append(lead)
        return found

    def _blocked(self, keys: set[str]) -> list[int]:
        """Leads holding any of the blocking keys (a GIN lookup each, at most
        BLOCK_CANDIDATES per key), in one statement for the batch."""
        if not keys:
            return []
        with connection.cursor() as cursor:
            cursor.execute(_BLOCKED_SQL, [sorted(keys), BLOCK_CANDIDATES])
            return [row[0] for row in cursor.fetchall()]

    def match(self, row_number: int, data: dict, keys: dict, existing: dict) -> RowMatch | None:
        """The strongest duplicate of a row: an existing lead first, else an earlier row
        (``remember`` the row afterwards for the rows after it)."""
        mine = profile(keys, data)
        candidate_keys = self.candidate_keys(keys)
        result = None
        leads = {lead.pk: lead for key in candidate_keys for lead in existing.get(key, ())}
        best = None
        for lead in leads.values():
            found = best_match(self.rules, mine, lead_profile(lead), self.frequencies)
            if found and (best is None or _rank(found) > _rank(best[0])):
                best = (found, lead)
        earlier = {n: p for key in candidate_keys for n, p in self._seen.get(key, ())}
        repeated = None
        for number, theirs in sorted(earlier.items()):
            found = best_match(self.rules, mine, theirs, self.frequencies)
            if found:
                repeated = (found, number)
                break
        if best is not None:
            found, lead = best
            result = RowMatch(
                rule=found.rule,
                score=found.score,
                lead=lead,
                repeats_row=repeated[1] if repeated else None,
            )
        elif repeated is not None:
            found, number = repeated
            result = RowMatch(rule=found.rule, score=found.score, row_number=number)
        return result

    def remember(self, row_number: int, data: dict, keys: dict) -> None:
        mine = profile(keys, data)
        for key in self.candidate_keys(keys):
            bucket = self._seen[key]
            bucket.append((row_number, mine))
            if len(bucket) > FILE_CANDIDATES_PER_KEY:
                del bucket[0]


def _rank(found) -> tuple:
    return (rule_level(found.rule) == "exact", found.score)
