"""Reading identifiers that come from outside (query strings, posted forms, import files,
destination keys): one tolerant place, so a malformed value is never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterable


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
