class ProvisioningError(Exception):
    """Provisioning was refused; ``field`` names the input at fault (for forms)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
