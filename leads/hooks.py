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
