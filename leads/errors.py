class LeadError(Exception):
    """A refused change to a lead; ``field`` names the input at fault (for forms and the API)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class IllegalTransitionError(LeadError):
    """The requested status change is not allowed from the lead's current status."""


class LeadChangedError(LeadError):
    """Someone else changed the lead first (for example took it); reload and retry."""


class DuplicateLeadError(LeadError):
    """A duplicate rule with the action "block" matched; ``matches`` says which leads."""

    def __init__(self, message: str, *, matches):
        super().__init__(message, field=None)
        self.matches = matches
