"""Celery tasks of the leads app, one module per kind of work. Thin: they take ids, call a
service and log one line. Celery's autodiscovery imports this package; the imports below
register every task in it."""

from leads.tasks import dedup, emails, exports, files, followups, importing, ownership

__all__ = ["dedup", "emails", "exports", "files", "followups", "importing", "ownership"]
