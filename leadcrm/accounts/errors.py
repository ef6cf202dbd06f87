class AccountsError(Exception):
    """A refused change to users or teams; ``field`` names the form field at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
