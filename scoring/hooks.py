"""What scoring adds to the leads app's lead page, registered in ScoringConfig.ready (leads
never imports scoring): the score panel with its explanation and the manual adjustment, and
the score's changes in the lead's Change history tab."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from leads.hooks import HistoryEntry
from leads.selectors import lead_can_write
from scoring.engine import COLD, HOT, WARM
from scoring.models import (
    OVERRIDE_DAYS_DEFAULT,
    Dimension,
    LeadScore,
    LeadScoreChange,
    ScoreOverride,
    ScoringSettings,
    TagRule,
)
from scoring.overrides import MAX_DAYS, NOTE_MAX
from scoring.predictive.labels import FactorLabels
from scoring.predictive.model import MIN_CLOSED
from scoring.services import thresholds_load
from scoring.tagging import tag_rule_describe

#: Score changes and adjustments shown on the panel, newest first.
HISTORY_SHOWN = 5
#: At most this many in the Change history tab (a lead rescored nightly has one per change).
HISTORY_TAB_MAX = 50

BANDS = {HOT: gettext_lazy("Hot"), WARM: gettext_lazy("Warm"), COLD: gettext_lazy("Cold")}
TRIGGERS = {
    "created": gettext_lazy("Scored when created"),
    "changed": gettext_lazy("Rescored after a change"),
    "rescore": gettext_lazy("Rescored with the rules"),
    "demo": gettext_lazy("Scored with the demo data"),
    "nightly": gettext_lazy("Rescored overnight (time passed)"),
}
#: Triggers the panel does not know (added by other scoring work) read as this.
TRIGGER_OTHER = gettext_lazy("Rescored")
ADJUSTED = gettext_lazy("Adjusted by %(name)s: %(reason)s")
CLEARED = gettext_lazy("Adjustment cleared by %(name)s")
EXPIRED = gettext_lazy("Adjustment expired")
INACTIVITY = gettext_lazy("inactivity")


@dataclass
class DimensionRow:
    name: str
    points: int
    cap: int | None
    fired: list[dict]


@dataclass
class HistoryRow:
    """A change of the score, for the panel and the Change history tab. ``what`` and ``why``
    are lazy: they read in the language active when they are shown."""

    at: datetime
    from_score: int | None
    to_score: int | None
    what: str
    why: str = ""
    manual: bool = False
    actor: object | None = None


def _interpolate(message, **values) -> str:
    """``message % values``, translated when shown (lazy), not when built."""
    return lazy(lambda: str(message) % {k: str(v) for k, v in values.items()}, str)()


def _reason_text(reason: str):
    """A computed change's reason: rule names as typed; the one word the engine writes,
    translated."""
    return INACTIVITY if reason == "inactivity" else reason


def _override_reason(override: ScoreOverride):
    """The reason's label (lazy); an unknown stored value as it is."""
    try:
        return ScoreOverride.Reason(override.reason).label
    except ValueError:
        return override.reason


def _dimensions(detail: LeadScore | None) -> list[DimensionRow]:
    """Every active dimension with its points and cap (a dimension since removed but still in
    the lead's explanation too), and the rules that fired in it."""
    points = dict(detail.dimensions) if detail else {}
    fired = list(detail.fired) if detail else []
    rows = []
    for dimension in Dimension.objects.filter(is_active=True):
        rows.append(
            DimensionRow(
                dimension.name,
                points.pop(dimension.name, 0),
                dimension.cap,
                [f for f in fired if f.get("dimension") == dimension.name],
            )
        )
    for name, value in points.items():
        rows.append(
            DimensionRow(name, value, None, [f for f in fired if f.get("dimension") == name])
        )
    return rows


@dataclass
class TagRow:
    tag: str
    #: The active rule that gives the tag (None: changed or deleted since the last scoring;
    #: the rescore under way brings the lead's tags up to date).
    rule: TagRule | None
    summary: str = ""


def _tags(lead) -> list[TagRow]:
    """The lead's automatic tags, each with the rule that gave it (the active rule of that
    name: a tag names its rule) and that rule's conditions in words."""
    tags = [t for t in (lead.auto_tags or []) if isinstance(t, str)]
    if not tags:
        return []
    rules = {r.name: r for r in TagRule.objects.filter(is_active=True, name__in=tags)}
    return [
        TagRow(tag, rules.get(tag), tag_rule_describe(rules[tag]) if tag in rules else "")
        for tag in tags
    ]


def score_history(lead, *, limit: int) -> list[HistoryRow]:
    """The last ``limit`` changes of the computed score and of manual adjustments (set,
    cleared, expired; a replaced one shows as the next set), merged by time, newest first.
    Two queries on the (lead, time) indexes, whatever the length of the history."""
    rows = [
        HistoryRow(c.changed_at, c.from_total, c.to_total, TRIGGERS.get(c.trigger, TRIGGER_OTHER),
                   _reason_text(c.reason))
        for c in LeadScoreChange.objects.filter(lead=lead)[:limit]
    ]  # fmt: skip
    for o in ScoreOverride.objects.filter(lead=lead).select_related("set_by", "ended_by")[:limit]:
        who = o.set_by.full_name if o.set_by else "—"
        rows.append(
            HistoryRow(
                o.set_at,
                o.from_score,
                o.to_score,
                _interpolate(ADJUSTED, name=who, reason=_override_reason(o)),
                o.note,
                manual=True,
                actor=o.set_by,
            )
        )
        if o.end in (ScoreOverride.End.CLEARED, ScoreOverride.End.EXPIRED) and o.ended_at:
            if o.end == ScoreOverride.End.EXPIRED:
                what, actor = EXPIRED, None
            else:
                name = o.ended_by.full_name if o.ended_by else "—"
                what, actor = _interpolate(CLEARED, name=name), o.ended_by
            rows.append(
                HistoryRow(o.ended_at, o.ended_from, o.ended_to, what, manual=True, actor=actor)
            )
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]


def lead_history_entries(lead, *, limit: int) -> list[HistoryEntry]:
    """The leads app's Change history hook: the score's changes, at most HISTORY_TAB_MAX."""
    return [
        HistoryEntry(row.at, row.actor, "scoring/partials/_history_entry.html", row)
        for row in score_history(lead, limit=min(limit, HISTORY_TAB_MAX))
    ]


def lead_panel(lead, user):
    """The score panel: the effective score as a gauge with its band and letter, the computed
    total beside a manual adjustment, points per dimension against their caps, the rules that
    fired, the automatic tags and the rule behind each, the last changes and why, and the
    adjustment form for who may write the lead."""
    now = timezone.now()
    thresholds = thresholds_load()
    detail = LeadScore.objects.filter(lead=lead).first()
    current = (
        ScoreOverride.objects.filter(lead=lead, ended_at__isnull=True)
        .select_related("set_by")
        .first()
    )
    shown = lead.score
    band = thresholds.band(shown) if shown is not None else None
    return "scoring/partials/_lead_score.html", {
        "lead": lead,
        "detail": detail,
        "score": shown,
        "band": band,
        "band_label": BANDS.get(band, ""),
        "letter": thresholds.letter(shown) if shown is not None else "",
        "thresholds": thresholds,
        "override": current,
        "override_expired": current is not None and not current.applies(now),
        "dimensions": _dimensions(detail),
        "history": score_history(lead, limit=HISTORY_SHOWN),
        "tags": _tags(lead),
        "can_adjust": lead_can_write(user, lead) and lead.merged_into_id is None,
        "modes": ScoreOverride.Mode.choices,
        "reasons": ScoreOverride.Reason.choices,
        "days_default": OVERRIDE_DAYS_DEFAULT,
        "days_max": MAX_DAYS,
        "note_max": NOTE_MAX,
        "factors": FactorLabels().factors(detail.factors) if detail else [],
        "blend": ScoringSettings.load().blend,
        "model_min_closed": MIN_CLOSED,
    }
