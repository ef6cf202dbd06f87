"""Scoring writes: computing leads' scores and keeping their explanation and history."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from leads.models import OPEN_STATUSES, Activity, Lead, LeadSettings, SourceChannel
from scoring.engine import (
    TAG_KINDS,
    DimensionSpec,
    LeadFacts,
    RuleSet,
    RuleSpec,
    ScoreResult,
    TagRuleSpec,
    Thresholds,
    lead_score,
    lead_tags,
    ruleset_compile,
)
from scoring.models import (
    BehaviourEvent,
    Dimension,
    LeadScore,
    LeadScoreChange,
    ScoreOverride,
    ScoringRule,
    ScoringSettings,
    TagRule,
)
from scoring.predictive.services import Predictor, predictor_load

#: Leads scored per transaction: few enough that row locks are short, many enough that the
#: handful of queries per chunk cost little per lead.
CHUNK = 1000

#: The lead columns the engine may read (rules can test any of them; custom fields come from
#: custom_data). Loading only these keeps a chunk light.
LEAD_COLUMNS = (
    "id", "name", "company", "job_title", "email", "phone", "mobile", "website", "country",
    "region", "city", "address", "industry", "company_size", "annual_revenue", "source_id",
    "source_detail", "product_line", "priority", "tags", "notes", "custom_data", "status",
    "stage_id", "bant_budget", "bant_authority", "bant_need", "bant_timeline", "score", "grade",
    "auto_tags", "created_at", "last_activity_at", "first_follow_up_at",
    "conversion_probability",
)  # fmt: skip


def thresholds_load() -> Thresholds:
    """Hot and Warm come from LeadSettings (what the list's Hot chip and score meters use),
    the half-life from ScoringSettings."""
    lead_settings = LeadSettings.load()
    return Thresholds(
        hot=lead_settings.hot_score,
        warm=lead_settings.warm_score,
        half_life_days=float(ScoringSettings.load().half_life_days),
    )


def tag_rule_specs(rules) -> list[TagRuleSpec]:
    """TagRule rows as the engine reads them. A rule with a condition the engine cannot read
    (an odd stored value) is left out whole, rather than stopping the scoring or giving its
    tag on its other conditions alone."""
    specs = []
    for rule in rules:
        stored = rule.conditions if isinstance(rule.conditions, list) else []
        conditions = tuple(
            (c.get("kind"), c.get("config") or {})
            for c in stored
            if isinstance(c, dict)
            and c.get("kind") in TAG_KINDS
            and isinstance(c.get("config") or {}, dict)
        )
        if conditions and len(conditions) == len(stored):
            specs.append(TagRuleSpec(rule.pk, rule.name, conditions, rule.match))
    return specs


def ruleset_load() -> RuleSet:
    """The tenant's active dimensions, rules and tag rules, compiled for the engine."""
    dimensions = [
        DimensionSpec(d.pk, d.name, d.cap, d.decays)
        for d in Dimension.objects.filter(is_active=True)
    ]
    rules = [
        RuleSpec(r.pk, r.name, r.dimension_id, r.kind, r.config, r.points)
        for r in ScoringRule.objects.filter(is_active=True, dimension__is_active=True)
    ]
    return ruleset_compile(
        dimensions=dimensions,
        rules=rules,
        thresholds=thresholds_load(),
        tag_rules=tag_rule_specs(TagRule.objects.filter(is_active=True)),
    )


def lead_facts(
    row: dict,
    *,
    sources: dict[int, str],
    activities: dict,
    events: dict | None = None,
    last_event_at: datetime | None = None,
) -> LeadFacts:
    """The engine's view of a lead loaded as a dict of LEAD_COLUMNS, with its activity counts
    and its behavioural event counts by kind. A behavioural event (a click, an open) is
    activity for the decay too: the lead's last touch is the later of the two."""
    last = row.get("last_activity_at")
    if last_event_at is not None and (last is None or last_event_at > last):
        last = last_event_at
    return LeadFacts(
        fields=row,
        custom=row.get("custom_data") or {},
        source=sources.get(row.get("source_id"), ""),
        activities=activities,
        events=events or {},
        last_activity_at=last,
        created_at=row.get("created_at"),
        is_open=row.get("status") in OPEN_STATUSES,
    )


def _change_reason(before: list[dict], after: ScoreResult) -> str:
    """What moved the score: rules that started or stopped firing ("+ Meeting held (+15)")."""
    old = {f["rule"]: f for f in before}
    new = {f.rule_id: f for f in after.fired}
    parts = [f"+ {f.name} ({f.points:+d})" for rid, f in new.items() if rid not in old]
    parts += [f"− {f['name']} ({-f['points']:+d})" for rid, f in old.items() if rid not in new]
    parts += [
        f"{f.name} ({f.points:+d})"
        for rid, f in new.items()
        if rid in old and old[rid]["points"] != f.points
    ]
    if not parts:
        parts = ["inactivity"] if after.decay < 1 else []
    return "; ".join(parts)[:300]


@dataclass(frozen=True)
class LeadValues:
    """What scoring computes for one lead before any manual adjustment."""

    result: ScoreResult
    tags: list[str]
    #: The score shown (the rule total, or its blend with the model) and its letter.
    shown: int
    letter: str
    probability: float | None = None
    factors: list = field(default_factory=list)
    version: int | None = None

    @property
    def percent(self) -> int | None:
        return None if self.probability is None else round(self.probability * 100)


def lead_values(
    row: dict,
    *,
    ruleset: RuleSet,
    predictor: Predictor | None,
    sources: dict[int, str],
    activities: dict,
    events: dict,
    last_event_at: datetime | None = None,
    now: datetime,
) -> LeadValues:
    """The rule score, automatic tags and (with a model) probability, factors and blended
    score of one lead given as a dict of LEAD_COLUMNS with its counts."""
    facts = lead_facts(
        row, sources=sources, activities=activities, events=events, last_event_at=last_event_at
    )
    result = lead_score(facts, ruleset, now=now)
    tags = [hit.tag for hit in lead_tags(facts, ruleset, now=now)]
    if predictor is None:
        return LeadValues(result, tags, result.total, result.letter)
    probability, factors = predictor.predict(
        row, source=sources.get(row.get("source_id"), ""), activities=activities, events=events
    )
    probability = round(probability, 4)
    shown = predictor.shown(result.total, probability)
    return LeadValues(
        result,
        tags,
        shown,
        ruleset.thresholds.letter(shown),
        probability,
        factors,
        predictor.version,
    )


def score_prefill(leads: list[Lead]) -> None:
    """The leads app's before-create hook for leads made in bulk (imports): give the unsaved
    leads their score, grade, probability and tags as they are inserted, so that the scoring
    task that follows finds them right and writes only the explanations, not every new lead
    row a second time through the lead table's indexes (most of what scoring added to an
    import). New leads have no activities or events yet."""
    if not leads:
        return
    now = timezone.now()
    ruleset, predictor = ruleset_load(), predictor_load()
    sources = dict(SourceChannel.objects.values_list("pk", "code"))
    for lead in leads:
        row = {name: getattr(lead, name) for name in LEAD_COLUMNS}
        values = lead_values(
            row,
            ruleset=ruleset,
            predictor=predictor,
            sources=sources,
            activities={},
            events={},
            now=now,
        )
        lead.score, lead.grade = values.shown, values.letter
        lead.conversion_probability, lead.auto_tags = values.percent, values.tags


def score_recompute(
    *, lead_ids, trigger: str = "", now: datetime | None = None, chunk: int = CHUNK
) -> int:
    """Compute and store the score of ``lead_ids``; returns how many leads were scored.

    Per chunk of ``chunk`` leads, one transaction and nine queries at most, whatever the number
    of rules:
    1. the leads, row-locked in id order, skipping those another transaction holds (they are
       scored after the chunk, one by one, once free); a lead deleted meanwhile is skipped, a
       lead deleted later takes its LeadScore rows with it (ON DELETE CASCADE)
    2. their activity counts by kind and outcome, and their behavioural event counts by kind
       with the time of the last one
    3. their LeadScore rows and their unended manual adjustments (ScoreOverride)
    4. one UPDATE of ``Lead.score``, ``Lead.grade`` (the letter A-D) and ``Lead.auto_tags``
       (the tag rules that hold, on the same facts) for the leads whose values moved: the
       effective score, i.e. the computed total unless an adjustment applies
       (scoring.overrides); an adjustment found expired is ended here (one UPDATE), and the
       lead shows its computed total again
    5. an upsert of the LeadScore rows that changed (one UPDATE of the computing time for the
       others), and a LeadScoreChange per lead whose total moved, with the rules that made it
       move and ``trigger`` (why it was rescored: "created", "changed", "rescore").

    Idempotent: a second run with nothing changed writes the same values and no history. The
    lead's own change history is not touched (scores are not edits by a person)."""
    ids = sorted({int(i) for i in lead_ids})
    if not ids:
        return 0
    now = now or timezone.now()
    ruleset = ruleset_load()
    predictor = predictor_load()
    sources = dict(SourceChannel.objects.values_list("pk", "code"))
    scored = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        done = _score_chunk(part, ruleset, predictor, sources, trigger, now, skip_locked=True)
        scored += len(done)
        # Leads another transaction holds (an edit, routing) are scored one by one once it
        # lets go: waiting while holding only that one lead's lock can never deadlock.
        for pk in set(part) - done:
            scored += len(
                _score_chunk([pk], ruleset, predictor, sources, trigger, now, skip_locked=False)
            )
    return scored


def _score_chunk(
    ids, ruleset, predictor: Predictor | None, sources, trigger, now, *, skip_locked: bool
) -> set[int]:
    """Score the leads of ``ids`` that exist (and, with ``skip_locked``, that no other
    transaction holds); returns their ids."""
    with transaction.atomic():
        rows = list(
            Lead.objects.filter(pk__in=ids)
            .order_by("pk")
            .select_for_update(no_key=True, skip_locked=skip_locked)
            .values(*LEAD_COLUMNS)
        )
        if not rows:
            return set()
        found = [row["id"] for row in rows]
        counts: dict[int, dict] = defaultdict(dict)
        for lead_id, kind, outcome, n in (
            Activity.objects.filter(lead_id__in=found)
            .values_list("lead_id", "kind", "outcome")
            .annotate(n=Count("id"))
            .order_by()
        ):
            counts[lead_id][(kind, outcome)] = n
        events: dict[int, dict] = defaultdict(dict)
        last_event: dict[int, datetime] = {}
        for lead_id, kind, n, last in (
            BehaviourEvent.objects.filter(lead_id__in=found)
            .values_list("lead_id", "kind")
            .annotate(n=Count("id"), last=Max("at"))
            .order_by()
        ):
            events[lead_id][kind] = n
            if lead_id not in last_event or last > last_event[lead_id]:
                last_event[lead_id] = last
        previous = {
            s["lead_id"]: s
            for s in LeadScore.objects.filter(lead_id__in=found).values(
                "lead_id",
                "total",
                "letter",
                "dimensions",
                "fired",
                "changed_at",
                "reason",
                "probability",
                "factors",
                "model_version",
                "blended",
            )
        }
        overrides = {
            o.lead_id: o
            for o in ScoreOverride.objects.filter(lead_id__in=found, ended_at__isnull=True)
        }
        moved, details, changes, same, expired = [], [], [], [], []
        for row in rows:
            values = lead_values(
                row,
                ruleset=ruleset,
                predictor=predictor,
                sources=sources,
                activities=counts.get(row["id"], {}),
                events=events.get(row["id"], {}),
                last_event_at=last_event.get(row["id"]),
                now=now,
            )
            result, tags = values.result, values.tags
            probability, factors, version = values.probability, values.factors, values.version
            shown, letter, percent = values.shown, values.letter, values.percent
            blended = shown
            override = overrides.get(row["id"])
            if override is not None and override.applies(now):
                shown = override.effective(blended)
                letter = ruleset.thresholds.letter(shown)
            elif override is not None:
                override.ended_at, override.end = now, ScoreOverride.End.EXPIRED
                override.ended_from, override.ended_to = row["score"], result.total
                expired.append(override)
            if (
                row["score"],
                row["grade"],
                row["conversion_probability"],
                row["auto_tags"] or [],
            ) != (shown, letter, percent, tags):
                moved.append((row["id"], shown, letter, percent, tags))
            before = previous.get(row["id"])
            fired = result.fired_json()
            if before is not None and (
                before["total"],
                before["letter"],
                before["dimensions"],
                before["fired"],
                before["probability"],
                before["factors"],
                before["model_version"],
                before["blended"],
            ) == (
                result.total,
                result.letter,
                result.dimensions,
                fired,
                probability,
                factors,
                version,
                blended,
            ):
                same.append((row["id"], result.decay))  # only the computing time moves
                continue
            changed = before is None or before["total"] != result.total
            reason = _change_reason(before["fired"] if before else [], result)
            details.append(
                LeadScore(
                    lead_id=row["id"],
                    total=result.total,
                    letter=result.letter,
                    dimensions=result.dimensions,
                    fired=fired,
                    decay=result.decay,
                    computed_at=now,
                    changed_at=now if changed else before["changed_at"],
                    reason=reason if changed else before["reason"],
                    probability=probability,
                    factors=factors,
                    model_version=version,
                    blended=blended,
                )
            )
            if changed:
                changes.append(
                    LeadScoreChange(
                        lead_id=row["id"],
                        from_total=before["total"] if before else None,
                        to_total=result.total,
                        trigger=trigger[:40],
                        reason=reason,
                        changed_at=now,
                    )
                )
        if expired:
            ScoreOverride.objects.bulk_update(
                expired, ["ended_at", "end", "ended_from", "ended_to"]
            )
        if moved:
            _leads_update_scores(moved)
        if same:
            _scores_touch(same, now)
        if details:
            _scores_write(details)
        if changes:
            _changes_write(changes)
    return set(found)


#: The LeadScore columns an upsert writes (all but the id), in the order of its arrays.
SCORE_COLUMNS = (
    "lead_id", "total", "letter", "dimensions", "fired", "decay", "computed_at", "changed_at",
    "reason", "probability", "factors", "model_version", "blended",
)  # fmt: skip
_JSON = {"dimensions", "fired", "factors"}
_SCORES_UPSERT = """
    INSERT INTO scoring_leadscore (lead_id, total, letter, dimensions, fired, decay, computed_at,
                                   changed_at, reason, probability, factors, model_version,
                                   blended)
    SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::varchar[], %s::jsonb[], %s::jsonb[],
                         %s::float8[], %s::timestamptz[], %s::timestamptz[], %s::varchar[],
                         %s::float8[], %s::jsonb[], %s::integer[], %s::smallint[])
    ON CONFLICT (lead_id) DO UPDATE SET
        total = EXCLUDED.total, letter = EXCLUDED.letter, dimensions = EXCLUDED.dimensions,
        fired = EXCLUDED.fired, decay = EXCLUDED.decay, computed_at = EXCLUDED.computed_at,
        changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason,
        probability = EXCLUDED.probability, factors = EXCLUDED.factors,
        model_version = EXCLUDED.model_version, blended = EXCLUDED.blended
"""


def _scores_write(details: list[LeadScore]) -> None:
    """Upsert the chunk's explanations in one statement over arrays (Django's bulk upsert
    compiles a placeholder per value: a third of scoring a fresh import went there)."""
    arrays = [
        [
            json.dumps(getattr(d, name), ensure_ascii=False) if name in _JSON else getattr(d, name)
            for d in details
        ]
        for name in SCORE_COLUMNS
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SCORES_UPSERT, arrays)


def _changes_write(changes: list[LeadScoreChange]) -> None:
    """The chunk's score history rows, one statement over arrays."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scoring_leadscorechange "
            "(lead_id, from_total, to_total, trigger, reason, changed_at) "
            "SELECT * FROM unnest(%s::bigint[], %s::smallint[], %s::smallint[], %s::varchar[], "
            "%s::varchar[], %s::timestamptz[])",
            [
                [c.lead_id for c in changes],
                [c.from_total for c in changes],
                [c.to_total for c in changes],
                [c.trigger for c in changes],
                [c.reason for c in changes],
                [c.changed_at for c in changes],
            ],
        )


def _scores_touch(same: list[tuple[int, float]], now: datetime) -> None:
    """Unchanged explanations: only their computing time and decay factor move (one UPDATE,
    where an upsert would send every column of every row again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scoring_leadscore AS s SET computed_at = %s, decay = v.decay "
            "FROM unnest(%s::bigint[], %s::float8[]) AS v(lead_id, decay) "
            "WHERE s.lead_id = v.lead_id",
            [now, [m[0] for m in same], [m[1] for m in same]],
        )


def _leads_update_scores(moved: list[tuple[int, int, str, int | None, list[str]]]) -> None:
    """One UPDATE for the chunk (bulk_update's CASE per row costs more to plan than to run).
    Each lead's tags travel as a JSON array: unnest would flatten an array of arrays."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead AS l SET score = v.score, grade = v.grade, "
            "conversion_probability = v.probability, "
            "auto_tags = ARRAY(SELECT jsonb_array_elements_text(v.tags))::varchar(50)[] "
            "FROM unnest(%s::bigint[], %s::smallint[], %s::varchar[], %s::smallint[], "
            "%s::jsonb[]) AS v(id, score, grade, probability, tags) "
            "WHERE l.id = v.id",
            [
                [m[0] for m in moved],
                [m[1] for m in moved],
                [m[2] for m in moved],
                [m[3] for m in moved],
                [json.dumps(m[4], ensure_ascii=False) for m in moved],
            ],
        )


def open_lead_ids() -> list[int]:
    """Every open lead (not merged into another), by id: what a full rescore covers."""
    return list(
        Lead.objects.filter(status__in=OPEN_STATUSES, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
