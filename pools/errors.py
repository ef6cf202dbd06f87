from leads.errors import LeadError


class PoolError(LeadError):
    """A refused pool operation; the message says why."""


class LeadAlreadyClaimedError(PoolError):
    """Someone else got the lead first."""


class PoolLimitError(PoolError):
    """A pool limit (open leads held, claims per day) stops the operation."""
