"""A lead as named numbers for the conversion model (pure: rows and counts in, a dict out).

Names say what they are, so a factor can be shown to a person: ``source=trade_show``,
``industry=manufacturing``, ``bant:authority``, ``act:call:no_answer`` (a count, log-scaled),
``evt:download``, ``resp:hours`` (hours to the first follow-up, log-scaled), ``resp:none``,
``title:director`` and ``kw:报价`` (words of the job title and of the notes), ``cf:<key>=<value>``
and ``cf:<key>`` (custom fields by type). A closed lead is described as it was before it closed:
the caller counts only the activities and events that happened until then.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

#: Categorical built-in fields and the feature prefix each gets.
CATEGORICAL = (
    "industry", "region", "country", "company_size", "annual_revenue", "product_line", "priority",
)  # fmt: skip
BANT = ("budget", "authority", "need", "timeline")
#: Presence of a contact detail says something about how the lead was captured.
PRESENCE = ("email", "website", "company", "job_title")
VALUE_MAX = 40
WORD_RE = re.compile(r"[a-z][a-z0-9+#]{2,}|[\u4e00-\u9fff]+")
STOP = frozenset({
    "the", "and", "for", "with", "from", "you", "your", "our", "are", "this", "that", "have",
    "has", "was", "were", "will", "can", "not", "but", "about", "into", "please", "would", "like",
})  # fmt: skip
FREE_MAIL = frozenset({
    "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com", "aol.com",
    "qq.com", "163.com", "126.com", "sina.com", "sohu.com", "foxmail.com", "yeah.net", "139.com",
})  # fmt: skip


def _value(raw) -> str:
    return " ".join(str(raw).split()).lower()[:VALUE_MAX]


def _log(n: float) -> float:
    return math.copysign(math.log1p(abs(n)), n)


def words(text: str, *, limit: int = 40) -> set[str]:
    """Latin words of three letters or more (lowercased, without common words) and Chinese
    runs cut into overlapping pairs of characters ("急需报价" → 急需, 需报, 报价)."""
    out: set[str] = set()
    for token in WORD_RE.findall((text or "").lower()):
        if token[0] >= "\u4e00":
            if len(token) == 1:
                continue
            out.update(token[i : i + 2] for i in range(len(token) - 1))
        elif token not in STOP:
            out.add(token)
        if len(out) >= limit:
            break
    return out


def lead_features(
    row: Mapping,
    *,
    source: str,
    activities: Mapping[tuple[str, str], int],
    events: Mapping[str, int],
    custom_types: Mapping[str, str],
) -> dict[str, float]:
    """The features of one lead. ``row`` holds the lead's columns (scoring.services
    LEAD_COLUMNS), ``activities`` counts by (kind, outcome), ``events`` behavioural events by
    kind, ``custom_types`` the type of each active custom field by key."""
    out: dict[str, float] = {f"source={source or '-'}": 1.0}
    for name in CATEGORICAL:
        value = _value(row.get(name) or "")
        out[f"{name}={value or '-'}"] = 1.0
    for name in BANT:
        if row.get(f"bant_{name}"):
            out[f"bant:{name}"] = 1.0
    for name in PRESENCE:
        if (row.get(name) or "").strip():
            out[f"has:{name}"] = 1.0
    if (row.get("phone") or "").strip() or (row.get("mobile") or "").strip():
        out["has:phone"] = 1.0
    domain = (row.get("email") or "").rpartition("@")[2].lower()
    if domain in FREE_MAIL:
        out["free_mail"] = 1.0
    total = 0
    for (kind, outcome), n in activities.items():
        if n:
            key = f"act:{kind}:{outcome}" if outcome else f"act:{kind}"
            out[key] = out.get(key, 0.0) + n
            total += n
    for key in [k for k in out if k.startswith("act:")]:
        out[key] = _log(out[key])
    out["act:all"] = _log(total)
    for kind, n in events.items():
        if n:
            out[f"evt:{kind}"] = _log(n)
    created, first = row.get("created_at"), row.get("first_follow_up_at")
    if created is not None and first is not None:
        out["resp:hours"] = _log(max(0.0, (first - created).total_seconds() / 3600))
    else:
        out["resp:none"] = 1.0
    for word in words(row.get("job_title") or ""):
        out[f"title:{word}"] = 1.0
    for word in words(" ".join([row.get("notes") or "", row.get("source_detail") or ""])):
        out[f"kw:{word}"] = 1.0
    out.update(custom_features(row.get("custom_data") or {}, custom_types))
    return out


def custom_features(data: Mapping, custom_types: Mapping[str, str]) -> dict[str, float]:
    """Numbers (log-scaled, and whether one is missing), choices and multiple choices (one
    feature per value), yes/no and dates (whether one is set); text fields are left out (too
    varied to learn from)."""
    out: dict[str, float] = {}
    for key, kind in custom_types.items():
        raw = data.get(key)
        if raw in (None, "", []):
            if kind == "number":  # not recorded is not zero (and may mean something)
                out[f"cf:{key}:none"] = 1.0
            continue
        if kind == "number":
            try:
                number = float(raw)
            except (TypeError, ValueError):
                continue
            if math.isfinite(number):
                out[f"cf:{key}"] = _log(number)
        elif kind in ("choice", "multi_choice"):
            values: Iterable = raw if isinstance(raw, list) else [raw]
            for value in values:
                out[f"cf:{key}={_value(value)}"] = 1.0
        elif kind == "boolean":
            out[f"cf:{key}={'yes' if raw in (True, 'true', '1', 1) else 'no'}"] = 1.0
        elif kind == "date":
            out[f"cf:{key}:set"] = 1.0
    return out
