"""Report figures kept for a few minutes, so that a manager opening, filtering back and forth
and reloading the reports of a big workspace waits for the database once, not on every click
(bench/results/analytics_dashboard.md: seconds for a year on a million leads, live).

What is kept: the figures one reader gets for one report and one set of filters, under the
tenant's key prefix (django-tenants' cache key function), the reader (a tenant admin's figures
are every admin's, anyone else's are their own: scope, pool visibility), the language (some
selectors name groups in the reader's language) and the filters. How fresh they are travels
with them and every page says it, with a link that computes them again (``?fresh=1``).

``ANALYTICS_CACHE_SECONDS`` = 0 turns the keeping off (the test settings do: tests compute
every figure afresh and check it against hand counts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from analytics.filters import ReportFilters
from leadcrm.accounts.models import User

#: Bump when a selector's result changes shape, so old entries are not read back.
VERSION = 1


@dataclass(frozen=True)
class Figures:
    value: object
    computed_at: datetime
    #: False when the figures were just computed for this request.
    kept: bool = False


def keep_seconds() -> int:
    return int(getattr(settings, "ANALYTICS_CACHE_SECONDS", 600))


def _key(user: User, report: str, filters: ReportFilters) -> str:
    reader = "admin" if user.is_tenant_admin else f"user:{user.pk}"
    parts = [
        report,
        reader,
        translation.get_language() or "",
        repr(sorted(filters.query().items())),
    ]
    parts += [str(filters.day_from), str(filters.day_to)]
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()
    return f"analytics:v{VERSION}:{report}:{digest}"


def report_figures(
    user: User,
    report: str,
    filters: ReportFilters,
    compute: Callable[[], object],
    *,
    fresh: bool = False,
) -> Figures:
    """``compute()``'s result for this reader, report and filters: kept ones when there are
    (unless ``fresh``), else computed now and kept for ``ANALYTICS_CACHE_SECONDS``."""
    seconds = keep_seconds()
    if seconds <= 0:
        return Figures(compute(), timezone.now())
    key = _key(user, report, filters)
    if not fresh:
        kept = cache.get(key)
        if isinstance(kept, Figures):
            return Figures(kept.value, kept.computed_at, kept=True)
    figures = Figures(compute(), timezone.now())
    cache.set(key, figures, seconds)
    return figures
