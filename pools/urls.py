from django.urls import path

from pools import views

urlpatterns = [
    path("", views.index, name="pools-index"),
    path("new/", views.pool_edit, name="pools-create"),
    path("rules/", views.rule_list, name="pools-rules"),
    path("rules/new/", views.rule_edit, name="pools-rule-create"),
    path("rules/condition-row/", views.rule_condition_row, name="pools-rule-condition-row"),
    path("rules/test/", views.rule_test, name="pools-rule-test"),
    path("rules/<uuid:uuid>/", views.rule_edit, name="pools-rule-edit"),
    path("rules/<uuid:uuid>/move/", views.rule_move, name="pools-rule-move"),
    path("rules/<uuid:uuid>/delete/", views.rule_delete, name="pools-rule-delete"),
    path("reroute/", views.leads_reroute, name="pools-reroute"),
    path("leads/<uuid:uuid>/return/", views.lead_return, name="pools-lead-return"),
    path("leads/<uuid:uuid>/withdraw/", views.lead_withdraw, name="pools-lead-withdraw"),
    path("leads/<uuid:uuid>/add/", views.lead_pool_add, name="pools-lead-add"),
    path("leads/<uuid:uuid>/reveal/<str:field>/", views.lead_reveal, name="pools-reveal"),
    path("<uuid:uuid>/", views.pool_detail, name="pools-detail"),
    path("<uuid:uuid>/edit/", views.pool_edit, name="pools-edit"),
    path("<uuid:uuid>/claim/", views.pool_claim, name="pools-claim"),
    path("<uuid:uuid>/allocate/", views.pool_allocate, name="pools-allocate"),
    path("<uuid:uuid>/transfer/", views.pool_transfer, name="pools-transfer"),
]
