from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"

    def ready(self) -> None:
        from leadcrm.tenancy.signals import tenant_created
        from leads.hooks import (
            register_after_change,
            register_after_create,
            register_after_create_bulk,
            register_before_create_bulk,
            register_email_tracking,
            register_history,
            register_lead_page,
            register_merge,
            register_tag_choices,
        )
        from scoring import hooks
        from scoring.events import events_merge, events_merge_undo
        from scoring.hooks_events import email_link, email_pixel, email_seen, lead_events_panel
        from scoring.localise import scoring_names_localise_on_create
        from scoring.next_action import lead_next_action_panel
        from scoring.services import score_prefill
        from scoring.tagging import tag_names_active
        from scoring.tasks import score_changed_lead, score_new_lead, score_new_leads

        # Without routes=True: an import that leaves its leads unassigned still scores them.
        register_after_create(score_new_lead)
        register_after_create_bulk(score_new_leads)
        register_before_create_bulk(score_prefill)
        register_after_change(score_changed_lead)
        register_lead_page(panel=hooks.lead_panel)
        register_lead_page(panel=lead_next_action_panel)
        register_lead_page(panel=lead_events_panel)
        register_history(hooks.lead_history_entries)
        register_merge("behaviour_events", on_merge=events_merge, on_undo=events_merge_undo)
        register_tag_choices(tag_names_active)
        register_email_tracking(link=email_link, pixel=email_pixel, seen=email_seen)
        tenant_created.connect(scoring_names_localise_on_create, dispatch_uid="scoring-localise")
