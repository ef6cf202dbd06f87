from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self):
        from leadcrm.accounts.hooks import register_user_handover
        from leadcrm.home import register_home_context
        from leadcrm.tenancy.signals import tenant_created
        from leads import texts  # noqa: F401  (the sentences notifications are stored as)
        from leads.home import home_figures
        from leads.hooks import register_history, register_merge
        from leads.services import attachments
        from leads.services.bulk import leads_hand_over_queue, leads_held_count
        from leads.services.config import default_lists_localise_on_create

        tenant_created.connect(default_lists_localise_on_create, dispatch_uid="leads-localise")
        register_home_context(lambda user: {"figures": home_figures(user)})
        # A lead's files follow a merge (and its undo) through the merge hooks, as scoring's
        # events do, and show in the Change history tab.
        register_merge(
            "attachments",
            on_merge=attachments.attachments_merge,
            on_undo=attachments.attachments_merge_undo,
        )
        register_history(attachments.attachment_history_entries)
        register_user_handover(count=leads_held_count, hand_over=leads_hand_over_queue)
