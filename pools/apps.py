from django.apps import AppConfig


class PoolsConfig(AppConfig):
    name = "pools"

    def ready(self) -> None:
        from leadcrm.tenancy.signals import tenant_created
        from leads.hooks import (
            register_after_create,
            register_after_create_bulk,
            register_after_owner_change,
            register_destination,
            register_merge,
            register_visibility,
        )
        from pools import texts  # noqa: F401  (the sentences notifications are stored as)
        from pools.selectors import (
            contact_masked_q,
            pooled_leads_administered_q,
            pooled_leads_visible_q,
        )
        from pools.services.pool import (
            fallback_pool_localise_on_create,
            pool_entry_merge,
            pool_entry_merge_undo,
        )
        from pools.services.routing import (
            pool_destination_find,
            pool_destination_place,
            pool_destinations,
        )
        from pools.tasks import route_new_lead, route_new_leads, route_unowned_leads

        register_after_create(route_new_lead, routes=True)
        register_after_create_bulk(route_new_leads, routes=True)
        register_after_owner_change(route_unowned_leads)
        register_destination(
            "pool",
            choices=pool_destinations,
            place=pool_destination_place,
            find=pool_destination_find,
        )
        register_merge("pool_entry", on_merge=pool_entry_merge, on_undo=pool_entry_merge_undo)
        tenant_created.connect(fallback_pool_localise_on_create, dispatch_uid="pools-localise")
        register_visibility(
            visible=pooled_leads_visible_q,
            masked=contact_masked_q,
            administered=pooled_leads_administered_q,
        )
