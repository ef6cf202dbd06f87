"""Every route of the leads app, mounted at the site root by leadcrm.urls_tenants."""

from django.urls import include, path

from leads.views import (
    api,
    attachments,
    campaigns,
    cleansing,
    collaboration,
    duplicate_rules,
    emails,
    exports,
    followups,
    importing,
    lead,
    merge,
    settings,
    sharing,
    webforms,
)
from leads.views import list as lead_list_views

lead_urlpatterns = [
    path("", lead_list_views.lead_list, name="leads-index"),
    path("new/", lead.lead_create, name="leads-create"),
    path("new/smart-fill/", lead.lead_smart_fill, name="leads-smart-fill"),
    path("duplicates/", lead.lead_duplicates, name="leads-duplicates"),
    path("duplicate-groups/", merge.duplicate_groups, name="leads-duplicate-groups"),
    path(
        "duplicate-groups/not-same/",
        merge.duplicates_not_same,
        name="leads-duplicates-not-same",
    ),
    path("merge/", merge.merge, name="leads-merge"),
    path("cleansing/", cleansing.cleansing, name="leads-cleansing"),
    path("import/", importing.import_index, name="leads-import"),
    path("import/template/", importing.import_template, name="leads-import-template"),
    path("import/<uuid:uuid>/", importing.import_status, name="leads-import-status"),
    path("import/<uuid:uuid>/map/", importing.import_map, name="leads-import-map"),
    path("import/<uuid:uuid>/report/", importing.import_report, name="leads-import-report"),
    path("import/<uuid:uuid>/discard/", importing.import_cancel, name="leads-import-cancel"),
    path("import/<uuid:uuid>/void/", importing.import_void, name="leads-import-void"),
    path(
        "import/mappings/<uuid:uuid>/delete/",
        importing.import_mapping_delete,
        name="leads-import-mapping-delete",
    ),
    path("merges/<uuid:uuid>/undo/", merge.merge_undo, name="leads-merge-undo"),
    path("bulk/", lead_list_views.lead_bulk, name="leads-bulk"),
    path("export/", exports.lead_export, name="leads-export"),
    path("exports/<uuid:job_id>/", exports.lead_export_status, name="leads-export-status"),
    path(
        "exports/<uuid:job_id>/download/",
        exports.lead_export_download,
        name="leads-export-download",
    ),
    path("views/", lead_list_views.saved_view_create, name="leads-view-save"),
    path("views/<uuid:uuid>/delete/", lead_list_views.saved_view_delete, name="leads-view-delete"),
    path("<uuid:uuid>/", lead.lead_detail, name="leads-detail"),
    path("<uuid:uuid>/edit/", lead.lead_edit, name="leads-edit"),
    path("<uuid:uuid>/activities/", lead.lead_activity_create, name="leads-activity-create"),
    path("<uuid:uuid>/status/", lead.lead_status_change, name="leads-status"),
    path("<uuid:uuid>/stage/", lead.lead_stage_change, name="leads-stage"),
    path("<uuid:uuid>/assign/", lead.lead_assign, name="leads-assign"),
    path("<uuid:uuid>/bant/", lead.lead_bant, name="leads-bant"),
    path("<uuid:uuid>/comments/", collaboration.comment_create, name="leads-comment-create"),
    path("<uuid:uuid>/emails/", emails.email_send, name="leads-email-send"),
    path(
        "activities/<uuid:uuid>/recording/",
        lead.activity_recording,
        name="leads-activity-recording",
    ),
    path("<uuid:uuid>/files/", attachments.attachment_upload, name="leads-attachment-upload"),
    path("files/<uuid:uuid>/", attachments.attachment_download, name="leads-attachment-download"),
    path(
        "files/<uuid:uuid>/delete/",
        attachments.attachment_delete,
        name="leads-attachment-delete",
    ),
    path("<uuid:uuid>/tasks/", followups.followup_create, name="leads-task-create"),
    path("tasks/<uuid:uuid>/complete/", followups.followup_complete, name="leads-task-complete"),
    path("<uuid:uuid>/follow-up/log/", followups.followup_date_log, name="leads-followup-log"),
    path("<uuid:uuid>/members/", collaboration.member_add, name="leads-member-add"),
    path(
        "<uuid:uuid>/members/<uuid:user_uuid>/remove/",
        collaboration.member_remove,
        name="leads-member-remove",
    ),
]

lead_settings_urlpatterns = [
    path("", settings.lead_settings, name="leads-settings"),
    path("web-forms/", webforms.webform_list, name="leads-webforms"),
    path("duplicate-rules/", duplicate_rules.duplicate_rules, name="leads-duplicate-rules"),
    path(
        "duplicate-rules/<uuid:uuid>/",
        duplicate_rules.duplicate_rules,
        name="leads-duplicate-rule-edit",
    ),
    path("web-forms/new/", webforms.webform_edit, name="leads-webform-create"),
    path("web-forms/<uuid:uuid>/", webforms.webform_edit, name="leads-webform-edit"),
    path("lists/", settings.settings_lists, name="leads-settings-lists"),
    path("custom-fields/", settings.custom_field_list, name="leads-custom-fields"),
    path(
        "custom-fields/new/",
        settings.custom_field_create,
        name="leads-custom-field-create",
    ),
    path(
        "custom-fields/<uuid:uuid>/",
        settings.custom_field_update,
        name="leads-custom-field-update",
    ),
    path(
        "custom-fields/<uuid:uuid>/move/",
        settings.custom_field_move,
        name="leads-custom-field-move",
    ),
    path(
        "custom-fields/<uuid:uuid>/deactivate/",
        settings.custom_field_deactivate,
        name="leads-custom-field-deactivate",
    ),
    path(
        "custom-fields/<uuid:uuid>/activate/",
        settings.custom_field_activate,
        name="leads-custom-field-activate",
    ),
    path("sop/", settings.sop_template_add, name="leads-sop-add"),
    path("sop/<uuid:uuid>/", settings.sop_template_update, name="leads-sop-update"),
    path(
        "sop/<uuid:uuid>/deactivate/",
        settings.sop_template_deactivate,
        name="leads-sop-deactivate",
    ),
    *(
        path(f"{kind}/", settings.list_item_add, {"kind": kind}, name=f"leads-{kind}-add")
        for kind in ("stages", "sources", "loss_reasons")
    ),
    path("<str:kind>/<uuid:uuid>/", settings.list_item_update, name="leads-list-item-update"),
    path(
        "<str:kind>/<uuid:uuid>/move/",
        settings.list_item_move,
        name="leads-list-item-move",
    ),
    path(
        "<str:kind>/<uuid:uuid>/deactivate/",
        settings.list_item_deactivate,
        name="leads-list-item-deactivate",
    ),
    path(
        "<str:kind>/<uuid:uuid>/activate/",
        settings.list_item_activate,
        name="leads-list-item-activate",
    ),
]

sharing_urlpatterns = [
    path("", sharing.sharing_rule_list, name="leads-sharing-list"),
    path(
        "<uuid:uuid>/deactivate/",
        sharing.sharing_rule_deactivate,
        name="leads-sharing-deactivate",
    ),
]

email_settings_urlpatterns = [
    path("", emails.email_settings, name="leads-email-settings"),
    path("test/", emails.email_settings_test, name="leads-email-test"),
    path("templates/new/", emails.email_template_edit, name="leads-email-template-create"),
    path("templates/<uuid:uuid>/", emails.email_template_edit, name="leads-email-template-edit"),
    path(
        "templates/<uuid:uuid>/delete/",
        emails.email_template_delete,
        name="leads-email-template-delete",
    ),
]

campaign_urlpatterns = [
    path("", campaigns.campaign_list, name="leads-campaigns"),
    path("new/", campaigns.campaign_edit, name="leads-campaign-create"),
    path("<uuid:uuid>/", campaigns.campaign_detail, name="leads-campaign-detail"),
    path("<uuid:uuid>/edit/", campaigns.campaign_edit, name="leads-campaign-edit"),
    path("<uuid:uuid>/delete/", campaigns.campaign_delete, name="leads-campaign-delete"),
]


urlpatterns = [
    path("leads/", include(lead_urlpatterns)),
    path("settings/leads/", include(lead_settings_urlpatterns)),
    path("settings/sharing/", include(sharing_urlpatterns)),
    path("settings/email/", include(email_settings_urlpatterns)),
    path("tasks/", followups.followup_list, name="leads-task-list"),
    path("campaigns/", include(campaign_urlpatterns)),
    path("f/<uuid:uuid>/", webforms.webform_public, name="leads-webform-public"),
    path("api/v1/leads/", api.leads_collection, name="api-leads"),
    path("api/v1/leads/<uuid:uuid>/", api.lead_item, name="api-lead"),
    path("api/v1/openapi.json", api.openapi, name="api-openapi"),
]
