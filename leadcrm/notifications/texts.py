"""Sentences the system writes to people, kept as a key and values and put into words when read.

A notification, a pool event's reason or any other stored message must read in the language of
the person reading it, not of whoever (or whichever worker) caused it. So the sender stores
``text("pools.reclaimed", lead="Wang Fang", pool="North")``, a small JSON value, and the page
renders it with ``text_render`` in the reader's language.

Apps declare their sentences once, with ``texts_register`` in their ``texts`` module (imported
by their AppConfig.ready), so every web process and worker knows them. A plural sentence is an
``ngettext_lazy`` whose number is named by a value (``ngettext_lazy(..., "count")``).

Values are plain strings and numbers (names are data, shown as typed), or one of:
- ``at(moment)``: a date and time, shown as 2026-12-03 17:00 (the product's one format, read the
  same way in English and Chinese) in the tenant's time zone;
- ``day(date)``: a date, 2026-12-03;
- another ``text(...)``: a sentence inside a sentence (a reason);
- ``text_list([...])``: several sentences, joined the reader's way.

Rendering never raises: an unknown key or odd stored values give ``None``, and the caller shows
the sentence stored next to it (written in the recipient's language when it was sent).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import pgettext

logger = logging.getLogger(__name__)

_TEXTS: dict[str, Promise] = {}


def texts_register(**texts: Promise) -> None:
    """Declare sentences by key (dots are spelled as "__" in the keyword: ``pools__reclaimed``)."""
    for key, sentence in texts.items():
        _TEXTS[key.replace("__", ".")] = sentence


def texts_known() -> dict[str, Promise]:
    return dict(_TEXTS)


def text(key: str, **values) -> dict:
    """What to store for the sentence ``key`` with ``values`` (raises KeyError if unknown)."""
    if key not in _TEXTS:
        raise KeyError(f"No text is registered as {key!r}.")
    return {"key": key, "values": {name: _stored(value) for name, value in values.items()}}


def at(moment: dt.datetime) -> dict:
    return {"at": moment.isoformat()}


def day(date: dt.date) -> dict:
    return {"day": date.isoformat()}


def text_list(texts: list[dict]) -> dict:
    return {"all": list(texts)}


def _stored(value):
    if isinstance(value, dict | int | float | str) or value is None:
        return value
    if isinstance(value, dt.datetime):
        return at(value)
    if isinstance(value, dt.date):
        return day(value)
    return str(value)


def text_render(stored) -> str | None:
    """``stored`` (from ``text`` or ``text_list``) in the active language, or None if it cannot
    be rendered."""
    try:
        if isinstance(stored, dict) and "all" in stored:
            return _shown(stored) or None
        return _render(stored)
    except Exception:  # odd stored values must not break a page
        logger.warning("text not rendered: %r", stored, exc_info=True)
        return None


def _render(stored) -> str | None:
    if not isinstance(stored, dict) or stored.get("key") not in _TEXTS:
        return None
    values = {name: _shown(value) for name, value in (stored.get("values") or {}).items()}
    return str(_TEXTS[stored["key"]] % values)


def _shown(value):
    if not isinstance(value, dict):
        return "" if value is None else value
    if "key" in value:
        return _render(value) or ""
    if "at" in value:
        moment = timezone.localtime(dt.datetime.fromisoformat(value["at"]))
        return formats.date_format(moment, "Y-m-d H:i")
    if "day" in value:
        return formats.date_format(dt.date.fromisoformat(value["day"]), "Y-m-d")
    if "all" in value:
        # Translators: what joins several reasons in one sentence ("; " in English).
        joiner = pgettext("list of reasons", "; ")
        return joiner.join(filter(None, (_render(item) for item in value["all"])))
    return ""
