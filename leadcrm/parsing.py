"""Reading identifiers that come from outside (query strings, posted forms, import files,
destination keys): one tolerant place, so a malformed value is never a 500."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date


def uuid_or_none(value) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is missing or not a UUID."""
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def uuids_parse(values: Iterable) -> tuple[list[uuid.UUID], int]:
    """The valid UUIDs among ``values`` (each once, in order) and how many were not UUIDs."""
    parsed, invalid = [], 0
    for value in values:
        found = uuid_or_none(value)
        if found is None:
            invalid += 1
        else:
            parsed.append(found)
    return list(dict.fromkeys(parsed)), invalid


#: Control characters no person types (NUL breaks Postgres text; the others break exports and
#: pages), and lone UTF-16 surrogates (JSON can carry "\ud800"; no database text can hold
#: one). Tab, newline and carriage return stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def text_clean(value: str) -> str:
    """``value`` without control characters (NUL included) and lone surrogates."""
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value


def data_clean(value):
    """A decoded JSON value with control characters removed from every string in it."""
    if isinstance(value, str):
        return text_clean(value)
    if isinstance(value, list):
        return [data_clean(v) for v in value]
    if isinstance(value, dict):
        return {text_clean(str(k)): data_clean(v) for k, v in value.items()}
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def query_values(query, name: str) -> list[str]:
    """Every value of ``name`` in a query string, repeated (`?owner=a&owner=b`) or
    comma-separated (`?owner=a,b`), stripped, empty ones left out. ``query`` is a QueryDict
    or a plain dict."""
    raw = query.getlist(name) if hasattr(query, "getlist") else [query.get(name) or ""]
    return [part.strip() for value in raw for part in str(value).split(",") if part.strip()]


def iso_date_or_none(value, *, years: tuple[int, int] = (1900, 2100)) -> date | None:
    """``value`` as a date if it reads YYYY-MM-DD (ASCII digits) and falls within ``years``
    (inclusive), else None: a typed year 0024 or 20245 is a typo, not a filter."""
    value = str(value or "").strip()
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if years[0] <= day.year <= years[1] else None


#: The years a date the product stores may fall in (custom date fields, imported dates): a
#: picked or typed year 1, 0024 or 20245 is a slip and would break the pages that show it.
DATE_YEARS = (1900, 2100)
#: The years a follow-up or a due date may fall in.
DUE_YEARS = (2000, 2100)


def year_within(value, years: tuple[int, int]) -> bool:
    """Whether a date or datetime (in its own zone) falls in ``years`` (inclusive)."""
    return years[0] <= value.year <= years[1]


#: No page of a list goes deeper than this (OFFSET beyond it costs more than it serves, and a
#: number like 10**30 overflows the database's bigint): filter instead.
PAGE_MAX = 100_000


def page_number(value) -> int:
    """A ``?page=`` value as a page number from 1 to PAGE_MAX (1 for anything else)."""
    try:
        return min(max(1, int(value)), PAGE_MAX)
    except (TypeError, ValueError, OverflowError):
        return 1
