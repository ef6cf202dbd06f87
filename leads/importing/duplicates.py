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
    could_match,
    rule_fields_used,
    rule_level,
    rules_active,
    worth_weighing,
)
from leads.dedup.profiles import SOURCE_FIELDS, profile, row_profile
from leads.models import DEDUP_KEY_FIELDS, DuplicateRule, Lead, LeadStatus

#: Existing leads fetched per blocking key (a key many leads share, a big company's first
#: characters, is a poor candidate list anyway; the scan compares them all).
BLOCK_CANDIDATES = 10
#: Postgres's gin_fuzzy_search_limit for those lookups (a soft cap on what one GIN scan reads).
BLOCK_SCAN_LIMIT = 200
#: Existing leads fetched per name, company or address key.
SHARED_CANDIDATES = 20
_SHARED_SQL = {
    "company_key": (
        "SELECT found.id FROM unnest(%s::varchar[]) AS wanted(key) CROSS JOIN LATERAL "
        "(SELECT id FROM leads_lead WHERE company_key = wanted.key AND company_key <> '' "
        "LIMIT %s) AS found"
    ),
    "name_key": (
        "SELECT found.id FROM unnest(%s::varchar[]) AS wanted(key) CROSS JOIN LATERAL "
        "(SELECT id FROM leads_lead WHERE name_key = wanted.key AND name_key <> '' "
        "LIMIT %s) AS found"
    ),
    "address_key": (
        "SELECT found.id FROM unnest(%s::varchar[]) AS wanted(key) CROSS JOIN LATERAL "
        "(SELECT id FROM leads_lead WHERE address_key = wanted.key AND address_key <> '' "
        "LIMIT %s) AS found"
    ),
}
_BLOCKED_SQL = (
    "SELECT found.id FROM unnest(%s::varchar[]) AS wanted(key) CROSS JOIN LATERAL "
    "(SELECT id FROM leads_lead WHERE block_keys @> ARRAY[wanted.key]::varchar[] LIMIT %s) "
    "AS found"
)
#: Profiles of candidate leads an import keeps between batches.
PROFILES_KEPT = 50_000
#: Earlier rows of the file kept per name, company, address or blocking key (a list holds
#: many namesakes and many people of one company; each is weighed over all its fields, and a
#: repeated row usually follows the first closely). E-mail and phone keys keep more.
FILE_CANDIDATES_PER_BLOCK = 5
#: Earlier rows of the file kept per key (a list with 300 people of one company compares a
#: row with the last 50 of them; the scan catches the rest).
FILE_CANDIDATES_PER_KEY = 50


@dataclass
class RowMatch:
    rule: DuplicateRule
    score: int
    lead_id: int | None = None  # an existing lead ...
    lead: Lead | None = None  # (loaded by ``RowMatcher.match_batch``)
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
        #: The cheap test (``worth_weighing``) holds for the default rules; a tenant rule of
        #: its own may need a pair it would skip (a company and an address, minimum 0).
        self.quick_ok = all(_quick_safe(rule) for rule in self.rules)
        #: Profiles of existing leads, built once per run (the same leads are candidates of
        #: row after row: a blocking key brings the same first ten every time), at most
        #: PROFILES_KEPT; a lead this run changes is read again (``forget``).
        self._profiles: dict[int, dict] = {}
        #: Candidates found merged or void.
        self._gone: set[int] = set()
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

    def match_batch(self, rows: list[tuple[int, dict, dict]]) -> list[RowMatch | None]:
        """The strongest duplicate of each row of a batch, (row number, data, keys) in file
        order, each row remembered for the rows after it; matched existing leads are loaded
        (one query), the other candidates only as profiles."""
        existing = self.existing([keys for _n, _d, keys in rows])
        matches = []
        for row_number, data, keys in rows:
            matches.append(self.match(row_number, data, keys, existing))
            self.remember(row_number, data, keys)
        wanted = {m.lead_id for m in matches if m is not None and m.lead_id is not None}
        leads = Lead.objects.in_bulk(sorted(wanted))
        for index, found in enumerate(matches):
            if found is None or found.lead_id is None:
                continue
            lead = leads.get(found.lead_id)
            if lead is None or lead.merged_into_id is not None or lead.status == LeadStatus.VOID:
                # Merged or voided by someone while the import ran: no longer a duplicate.
                self.forget(found.lead_id)
                self._gone.add(found.lead_id)
                repeats = found.repeats_row
                matches[index] = (
                    RowMatch(rule=found.rule, score=found.score, row_number=repeats)
                    if repeats
                    else None
                )
                continue
            found.lead = lead
        return matches

    def forget(self, pk: int) -> None:
        """Read lead ``pk`` again when it is next a candidate (this run changed it)."""
        self._profiles.pop(pk, None)

    def existing(self, batch_keys: list[dict]) -> dict[str, list[int]]:
        """The ids of the tenant's leads by candidate key, for a batch of rows' keys (an
        indexed query per key column, then one for the leads' profiles)."""
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
        ids: set[int] = set(self._blocked(by_kind["b"]))
        # Names, companies and addresses many leads share ("Wang Wei", a big company): the
        # first SHARED_CANDIDATES of each, as with the blocking keys (every pair is weighed
        # over all its fields now, so thousands of namesakes would cost seconds a batch).
        # A name or company so common that agreeing on it weighs the least it can
        # (``count_enough``) brings no candidate a rule could take on that agreement: every
        # rule also needs a number, an e-mail, a company, an address or a postcode in
        # common, and those have keys of their own (the blocking keys pair the name with
        # the company's start and with the postcode).
        self.frequencies.prefetch(batch_keys)
        shared = (("c", "company_key", "company"), ("n", "name_key", "name"),
                  ("a", "address_key", None))  # fmt: skip
        for kind, column, counted in shared:
            values = by_kind[kind]
            if counted is not None:
                values = {v for v in values if not self.frequencies.common(counted, v)}
            ids.update(self._shared(column, values))
        for column, values in lookups:
            ids.update(
                Lead.objects.filter(**{f"{column}__in": sorted(values)})
                .exclude(**{column: ""})
                .values_list("pk", flat=True)
            )
        ids -= self._gone
        unknown = ids - self._profiles.keys()
        if len(self._profiles) + len(unknown) > PROFILES_KEPT:
            self._profiles.clear()
            unknown = ids
        # Plain rows, not model instances: a batch meets thousands of candidates and only
        # the few that match are loaded as leads (``match_batch``).
        rows = (
            Lead.objects.filter(pk__in=sorted(unknown), merged_into__isnull=True)
            .exclude(status=LeadStatus.VOID)
            .values("pk", *DEDUP_KEY_FIELDS, *SOURCE_FIELDS)
        )
        for row in rows:
            self._profiles[row["pk"]] = row_profile(row)
        self._gone |= unknown - self._profiles.keys()
        found: dict[str, list[int]] = defaultdict(list)
        for pk in sorted(ids - self._gone):
            for key in self.candidate_keys(self._profiles[pk]):
                if key in wanted:
                    found[key].append(pk)
        return found

    def _shared(self, column: str, values: set[str]) -> list[int]:
        """Leads whose ``column`` (an indexed key) is one of ``values``, at most
        SHARED_CANDIDATES per value, in one statement."""
        if not values:
            return []
        with connection.cursor() as cursor:
            cursor.execute(_SHARED_SQL[column], [sorted(values), SHARED_CANDIDATES])
            return [row[0] for row in cursor.fetchall()]

    def _blocked(self, keys: set[str]) -> list[int]:
        """Leads holding any of the blocking keys (a GIN lookup each, at most
        BLOCK_CANDIDATES per key), in one statement for the batch."""
        if not keys:
            return []
        with connection.cursor() as cursor:
            # A key thousands of leads share (a common company start) would make its GIN
            # lookup read them all before LIMIT: GIN stops at about this many instead.
            # The planner cannot see how rare a key from unnest() is and would read the
            # table instead of the index.
            cursor.execute(f"SET gin_fuzzy_search_limit = {int(BLOCK_SCAN_LIMIT)}")
            cursor.execute("SET enable_seqscan = off")
            try:
                cursor.execute(_BLOCKED_SQL, [sorted(keys), BLOCK_CANDIDATES])
                found = [row[0] for row in cursor.fetchall()]
            finally:
                cursor.execute("RESET gin_fuzzy_search_limit")
                cursor.execute("RESET enable_seqscan")
        return found

    def match(self, row_number: int, data: dict, keys: dict, existing: dict) -> RowMatch | None:
        """The strongest duplicate of a row: an existing lead first, else an earlier row
        (``remember`` the row afterwards for the rows after it)."""
        mine = profile(keys, data)
        candidate_keys = self.candidate_keys(keys)
        result = None
        lead_ids = sorted({pk for key in candidate_keys for pk in existing.get(key, ())})
        best = None
        for pk in lead_ids:
            theirs = self._profiles[pk]
            if self.quick_ok and not worth_weighing(mine, theirs):
                continue
            if not could_match(self.rules, mine, theirs, self.frequencies):
                continue
            found = best_match(self.rules, mine, theirs, self.frequencies)
            if found and (best is None or _rank(found) > _rank(best[0])):
                best = (found, pk)
        earlier = {n: p for key in candidate_keys for n, p in self._seen.get(key, ())}
        repeated = None
        for number, theirs in sorted(earlier.items()):
            if self.quick_ok and not worth_weighing(mine, theirs):
                continue
            if not could_match(self.rules, mine, theirs, self.frequencies):
                continue
            found = best_match(self.rules, mine, theirs, self.frequencies)
            if found:
                repeated = (found, number)
                break
        if best is not None:
            found, pk = best
            result = RowMatch(
                rule=found.rule,
                score=found.score,
                lead_id=pk,
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
            cap = FILE_CANDIDATES_PER_KEY if key[:2] in ("e:", "p:") else FILE_CANDIDATES_PER_BLOCK
            if len(bucket) > cap:
                del bucket[0]


def _quick_safe(rule: DuplicateRule) -> bool:
    """Whether ``worth_weighing`` never skips a pair ``rule`` accepts: the rule needs an
    e-mail address or a number in common, a similar name (85 or more), or the evidence
    alone at 70 or more."""
    fields = {spec.get("field"): spec for spec in rule.fields}
    if not fields:
        return rule.min_score >= 70
    if fields.keys() & {"email", "phone"}:
        return True
    name = fields.get("name")
    return name is not None and (name.get("match") == "exact" or int(name["threshold"]) >= 85)


def _rank(found) -> tuple:
    return (rule_level(found.rule) == "exact", found.score)
