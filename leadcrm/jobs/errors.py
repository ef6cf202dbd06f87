"""What a job's body or its callers may raise."""


class JobError(Exception):
    """An expected failure: the job is marked failed with ``reason`` (shown to the person who
    asked, so written for them)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = str(reason)


class JobCancelled(Exception):
    """The job was cancelled (or finished elsewhere) while running: the body stops."""


class JobRunningElsewhere(JobCancelled):
    """Another delivery of the same job is running it (a redelivered message racing the first
    run, both resuming it): this one stops and leaves the job, still running, to that one."""


class JobAlreadyActive(Exception):
    """An exclusive kind already has a queued or running job; ``job`` is that one."""

    def __init__(self, job):
        super().__init__(f"a {job.kind} job is already {job.status}")
        self.job = job
