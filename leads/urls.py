from django.urls import path

from leads import views, views_collab

urlpatterns = [
    path("", views.lead_list, name="leads-index"),
    path("new/", views.lead_create, name="leads-create"),
    path("<uuid:uuid>/", views.lead_detail, name="leads-detail"),
    path("<uuid:uuid>/edit/", views.lead_edit, name="leads-edit"),
    path("<uuid:uuid>/activities/", views.lead_activity_create, name="leads-activity-create"),
    path("<uuid:uuid>/status/", views.lead_status_change, name="leads-status"),
    path("<uuid:uuid>/stage/", views.lead_stage_change, name="leads-stage"),
    path("<uuid:uuid>/assign/", views.lead_assign, name="leads-assign"),
    path("<uuid:uuid>/comments/", views_collab.comment_create, name="leads-comment-create"),
    path("<uuid:uuid>/members/", views_collab.member_add, name="leads-member-add"),
    path(
        "<uuid:uuid>/members/<uuid:user_uuid>/remove/",
        views_collab.member_remove,
        name="leads-member-remove",
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
