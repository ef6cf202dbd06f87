from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self) -> None:
        from leadcrm.home import register_home_context
        from onboarding.selectors import onboarding_home_context

        register_home_context(onboarding_home_context)
