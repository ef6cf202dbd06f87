"""What the onboarding services refuse, in words for the person who asked."""


class OnboardingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


class SampleDataInUseError(OnboardingError):
    """Removing the sample data would take something a person made with it (a customer
    converted from a sample lead): nothing is removed."""
