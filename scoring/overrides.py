"""Manual score adjustments: a person with write access sets a lead's score (or adds ± points)
for a reason; the computed score stays in LeadScore and ``Lead.score`` shows the effective one
(what lists, sorting and routing read). ``score_recompute`` applies the active adjustment each
time it scores the lead, and ends it there once it has expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import Lead
from scoring.models import OVERRIDE_DAYS_DEFAULT, LeadScore, ScoreOverride
from scoring.services import thresholds_load

MAX_DAYS = 365
NOTE_MAX = ScoreOverride._meta.get_field("note").max_length


@dataclass
class OverrideError(Exception):
    """A refused adjustment: ``message`` for the person, ``field`` the input at fault."""

    message: str
    field: str = ""

    def __str__(self) -> str:
        return str(self.message)


def override_active(lead: Lead, *, now: datetime | None = None) -> ScoreOverride | None:
    """The lead's adjustment that applies now, if any (an expired one no longer applies)."""
    found = ScoreOverride.objects.filter(lead=lead, ended_at__isnull=True).first()
    return found if found is not None and found.applies(now or timezone.now()) else None


def _check(*, mode: str, value, reason: str, note: str, days) -> tuple[int, int | None]:
    if mode not in ScoreOverride.Mode.values:
        raise OverrideError(_("Choose how to adjust the score."), "mode")
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise OverrideError(_("Enter a whole number."), "value") from None
    if mode == ScoreOverride.Mode.SET and not 0 <= value <= 100:
        raise OverrideError(_("A score is between 0 and 100."), "value")
    if mode == ScoreOverride.Mode.ADD and (value == 0 or not -100 <= value <= 100):
        raise OverrideError(_("Add or remove between 1 and 100 points."), "value")
    if reason not in ScoreOverride.Reason.values:
        raise OverrideError(_("Choose a reason for the adjustment."), "reason")
    if len(note) > NOTE_MAX:
        raise OverrideError(_("The note is too long."), "note")
    if reason == ScoreOverride.Reason.OTHER and not note.strip():
        raise OverrideError(_("Say why in the note."), "note")
    if days in (None, ""):
        return value, None
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise OverrideError(_("Enter a number of days."), "days") from None
    if not 1 <= days <= MAX_DAYS:
        raise OverrideError(
            _("An adjustment applies for 1 to %(max)d days, or until cleared.") % {"max": MAX_DAYS},
            "days",
        )
    return value, days


def _locked_state(lead: Lead) -> tuple[int | None, int | None, ScoreOverride | None]:
    """Inside a transaction: lock the lead row (the lock score_recompute takes, so a rescore
    in flight finishes first or comes after) and read its shown score, its computed total
    and its unended adjustment."""
    shown = (
        Lead.objects.select_for_update(no_key=True)
        .filter(pk=lead.pk)
        .values_list("score", flat=True)
        .get()
    )
    # The computed score is the rule total, or its blend with the model when one applies.
    computed = (
        LeadScore.objects.filter(lead=lead)
        .values_list(Coalesce("blended", "total"), flat=True)
        .first()
    )
    current = ScoreOverride.objects.filter(lead=lead, ended_at__isnull=True).first()
    return shown, computed, current


def _show(lead: Lead, score: int | None) -> None:
    grade = "" if score is None else thresholds_load().letter(score)
    # An UPDATE of two columns, as score_recompute does: a score is not an edit by a person,
    # so the lead's own change history is not touched.
    Lead.objects.filter(pk=lead.pk).update(score=score, grade=grade)
    lead.score, lead.grade = score, grade


def score_override_set(
    *,
    lead: Lead,
    actor,
    mode: str,
    value,
    reason: str,
    note: str = "",
    days=OVERRIDE_DAYS_DEFAULT,
    now: datetime | None = None,
) -> ScoreOverride:
    """Adjust ``lead``'s score by hand: ``mode`` "set" (``value`` 0-100) or "add" (± points on
    the computed total, the effective score within 0-100), for ``reason`` (one of
    ScoreOverride.Reason; "other" needs a ``note``), for ``days`` days (None: until cleared).

    The caller has checked that ``actor`` may write the lead. Raises OverrideError for a bad
    input. In one transaction:
    1. lock the lead row and read its shown score, computed total and current adjustment
    2. end the current adjustment, if any, as replaced (by ``actor``)
    3. record the new one with the effective score before and after (the audit)
    4. show the effective score in ``Lead.score`` and its letter in ``Lead.grade``."""
    value, days = _check(mode=mode, value=value, reason=reason, note=note or "", days=days)
    now = now or timezone.now()
    with transaction.atomic():
        shown, computed, current = _locked_state(lead)
        override = ScoreOverride(
            lead=lead,
            mode=mode,
            value=value,
            reason=reason,
            note=(note or "").strip(),
            override_days=days,
            set_by=actor,
            set_at=now,
            expires_at=now + timedelta(days=days) if days else None,
            from_score=shown,
        )
        override.to_score = override.effective(computed)
        if current is not None:
            current.ended_at, current.ended_by, current.end = now, actor, ScoreOverride.End.REPLACED
            current.ended_from, current.ended_to = shown, override.to_score
            current.save(update_fields=["ended_at", "ended_by", "end", "ended_from", "ended_to"])
        override.save()
        _show(lead, override.to_score)
    return override


def score_override_clear(*, lead: Lead, actor, now: datetime | None = None) -> ScoreOverride | None:
    """End ``lead``'s adjustment (expired or not): ``Lead.score`` shows the computed total
    again (the score before the adjustment if the lead was never computed). Returns the ended
    adjustment, None if there was none (nothing written). The end is recorded with who, when,
    and the effective score before and after."""
    now = now or timezone.now()
    with transaction.atomic():
        shown, computed, current = _locked_state(lead)
        if current is None:
            return None
        after = computed if computed is not None else current.from_score
        current.ended_at, current.ended_by, current.end = now, actor, ScoreOverride.End.CLEARED
        current.ended_from, current.ended_to = shown, after
        current.save(update_fields=["ended_at", "ended_by", "end", "ended_from", "ended_to"])
        _show(lead, after)
    return current
