"""What the start page shows, contributed by the apps without the platform importing them.

An app registers a callable in its AppConfig.ready: it takes the signed-in user and returns a
dict merged into the home page's context (leads adds the figures that follow the reader's role,
onboarding the setup checklist and the sample data for tenant admins).
"""

from collections.abc import Callable

_contributors: list[Callable[..., dict]] = []


def register_home_context(contributor: Callable[..., dict]) -> None:
    if contributor not in _contributors:
        _contributors.append(contributor)


def home_context(user) -> dict:
    context: dict = {}
    for contributor in _contributors:
        context.update(contributor(user))
    return context
