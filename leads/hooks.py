"""What other apps do when a lead is created, without leads importing them.

pools registers "route it", scoring registers "score it" (in their AppConfig.ready). Hooks run
after the creating transaction commits and receive the lead's id; they queue Celery tasks.
"""

from collections.abc import Callable

_after_create: list[Callable[[int], None]] = []


def register_after_create(hook: Callable[[int], None]) -> None:
    if hook not in _after_create:
        _after_create.append(hook)


def after_create_hooks() -> list[Callable[[int], None]]:
    return list(_after_create)


# The same for leads created in bulk (imports): one call per batch with the ids.
_after_create_bulk: list[Callable[[list[int]], None]] = []


def register_after_create_bulk(hook: Callable[[list[int]], None]) -> None:
    if hook not in _after_create_bulk:
        _after_create_bulk.append(hook)


def after_create_bulk_hooks() -> list[Callable[[list[int]], None]]:
    return list(_after_create_bulk)


# Visibility extensions. pools adds "members see the unowned leads of their pools" and "those
# leads' phone numbers and emails are masked until claimed". Each callable takes the user and
# returns a Q over Lead (or None for nothing), so lists stay one SQL query.
_visible: list[Callable] = []
_masked: list[Callable] = []


def register_visibility(*, visible: Callable | None = None, masked: Callable | None = None):
    if visible is not None and visible not in _visible:
        _visible.append(visible)
    if masked is not None and masked not in _masked:
        _masked.append(masked)


def visibility_hooks() -> list[Callable]:
    return list(_visible)


def masking_hooks() -> list[Callable]:
    return list(_masked)
