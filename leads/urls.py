from django.urls import path

from leads import (
    views,
    views_cleansing,
    views_collab,
    views_dedup_rules,
    views_import,
    views_list,
    views_merge,
    views_settings,
    views_tasks,
    views_webforms,
)

urlpatterns = [
    path("", views.lead_list, name="leads-index"),
    path("new/", views.lead_create, name="leads-create"),
    path("new/smart-fill/", views.lead_smart_fill, name="leads-smart-fill"),
    path("duplicates/", views.lead_duplicates, name="leads-duplicates"),
    path("duplicate-groups/", views_merge.duplicate_groups, name="leads-duplicate-groups"),
    path(
        "duplicate-groups/not-same/",
        views_merge.duplicates_not_same,
        name="leads-duplicates-not-same",
    ),
    path("merge/", views_merge.merge, name="leads-merge"),
    path("cleansing/", views_cleansing.cleansing, name="leads-cleansing"),
    path("import/", views_import.import_index, name="leads-import"),
    path("import/template/", views_import.import_template, name="leads-import-template"),
    path("import/<uuid:uuid>/", views_import.import_status, name="leads-import-status"),
    path("import/<uuid:uuid>/map/", views_import.import_map, name="leads-import-map"),
    path("import/<uuid:uuid>/report/", views_import.import_report, name="leads-import-report"),
    path("import/<uuid:uuid>/discard/", views_import.import_cancel, name="leads-import-cancel"),
    path("import/<uuid:uuid>/void/", views_import.import_void, name="leads-import-void"),
    path(
        "import/mappings/<uuid:uuid>/delete/",
        views_import.import_mapping_delete,
        name="leads-import-mapping-delete",
    ),
    path("merges/<uuid:uuid>/undo/", views_merge.merge_undo, name="leads-merge-undo"),
    path("bulk/", views_list.lead_bulk, name="leads-bulk"),
    path("export/", views_list.lead_export, name="leads-export"),
    path("exports/<uuid:job_id>/", views_list.lead_export_status, name="leads-export-status"),
    path(
        "exports/<uuid:job_id>/download/",
        views_list.lead_export_download,
        name="leads-export-download",
    ),
    path("views/", views_list.saved_view_create, name="leads-view-save"),
    path("views/<uuid:uuid>/delete/", views_list.saved_view_delete, name="leads-view-delete"),
    path("<uuid:uuid>/", views.lead_detail, name="leads-detail"),
    path("<uuid:uuid>/edit/", views.lead_edit, name="leads-edit"),
    path("<uuid:uuid>/activities/", views.lead_activity_create, name="leads-activity-create"),
    path("<uuid:uuid>/status/", views.lead_status_change, name="leads-status"),
    path("<uuid:uuid>/stage/", views.lead_stage_change, name="leads-stage"),
    path("<uuid:uuid>/assign/", views.lead_assign, name="leads-assign"),
    path("<uuid:uuid>/bant/", views.lead_bant, name="leads-bant"),
    path("<uuid:uuid>/comments/", views_collab.comment_create, name="leads-comment-create"),
    path(
        "activities/<uuid:uuid>/recording/",
        views.activity_recording,
        name="leads-activity-recording",
    ),
    path("<uuid:uuid>/tasks/", views_tasks.task_create, name="leads-task-create"),
    path("tasks/<uuid:uuid>/complete/", views_tasks.task_complete, name="leads-task-complete"),
    path("<uuid:uuid>/members/", views_collab.member_add, name="leads-member-add"),
    path(
        "<uuid:uuid>/members/<uuid:user_uuid>/remove/",
        views_collab.member_remove,
        name="leads-member-remove",
    ),
]

lead_settings_urlpatterns = [
    path("", views_settings.lead_settings, name="leads-settings"),
    path("web-forms/", views_webforms.webform_list, name="leads-webforms"),
    path("duplicate-rules/", views_dedup_rules.duplicate_rules, name="leads-duplicate-rules"),
    path(
        "duplicate-rules/<uuid:uuid>/",
        views_dedup_rules.duplicate_rules,
        name="leads-duplicate-rule-edit",
    ),
    path("web-forms/new/", views_webforms.webform_edit, name="leads-webform-create"),
    path("web-forms/<uuid:uuid>/", views_webforms.webform_edit, name="leads-webform-edit"),
    path("lists/", views_settings.settings_lists, name="leads-settings-lists"),
    path("custom-fields/", views_settings.custom_field_list, name="leads-custom-fields"),
    path(
        "custom-fields/new/",
        views_settings.custom_field_create,
        name="leads-custom-field-create",
    ),
    path(
        "custom-fields/<uuid:uuid>/",
        views_settings.custom_field_update,
        name="leads-custom-field-update",
    ),
    path(
        "custom-fields/<uuid:uuid>/move/",
        views_settings.custom_field_move,
        name="leads-custom-field-move",
    ),
    path(
        "custom-fields/<uuid:uuid>/deactivate/",
        views_settings.custom_field_deactivate,
        name="leads-custom-field-deactivate",
    ),
    path(
        "custom-fields/<uuid:uuid>/activate/",
        views_settings.custom_field_activate,
        name="leads-custom-field-activate",
    ),
    path("sop/", views_settings.sop_template_add, name="leads-sop-add"),
    path("sop/<uuid:uuid>/", views_settings.sop_template_update, name="leads-sop-update"),
    path(
        "sop/<uuid:uuid>/deactivate/",
        views_settings.sop_template_deactivate,
        name="leads-sop-deactivate",
    ),
    *(
        path(f"{kind}/", views_settings.list_item_add, {"kind": kind}, name=f"leads-{kind}-add")
        for kind in ("stages", "sources", "loss_reasons")
    ),
    path("<str:kind>/<uuid:uuid>/", views_settings.list_item_update, name="leads-list-item-update"),
    path(
        "<str:kind>/<uuid:uuid>/move/",
        views_settings.list_item_move,
        name="leads-list-item-move",
    ),
    path(
        "<str:kind>/<uuid:uuid>/deactivate/",
        views_settings.list_item_deactivate,
        name="leads-list-item-deactivate",
    ),
    path(
        "<str:kind>/<uuid:uuid>/activate/",
        views_settings.list_item_activate,
        name="leads-list-item-activate",
    ),
]

sharing_urlpatterns = [
    path("", views_collab.sharing_rule_list, name="leads-sharing-list"),
    path(
        "<uuid:uuid>/deactivate/",
        views_collab.sharing_rule_deactivate,
        name="leads-sharing-deactivate",
    ),
]
