"""Why a conversion (or a change to a customer, contact or opportunity) was refused. The
views show ``message``; the API answers 409 (a conflict with existing records) or 422."""

from __future__ import annotations


class ConversionError(Exception):
    status = 422

    def __init__(self, message: str, *, field: str | None = None, existing=None):
        super().__init__(message)
        self.message = message
        self.field = field
        #: The record the refusal is about, when there is one the user may open.
        self.existing = existing


class AlreadyConvertedError(ConversionError):
    status = 409


class DuplicateError(ConversionError):
    status = 409
