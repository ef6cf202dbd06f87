from django.urls import path

from pools.views import dormant, operations, pools, rules

urlpatterns = [
    path("", pools.index, name="pools-index"),
    path("new/", pools.pool_edit, name="pools-create"),
    path("dormant/", dormant.dormant_settings, name="pools-dormant-settings"),
    path("rules/", rules.rule_list, name="pools-rules"),
    path("rules/new/", rules.rule_edit, name="pools-rule-create"),
    path("rules/low-score/", rules.low_score_settings, name="pools-low-score-settings"),
    path("rules/condition-row/", rules.rule_condition_row, name="pools-rule-condition-row"),
    path("rules/test/", rules.rule_test, name="pools-rule-test"),
    path("rules/<uuid:uuid>/", rules.rule_edit, name="pools-rule-edit"),
    path("rules/<uuid:uuid>/move/", rules.rule_move, name="pools-rule-move"),
    path("rules/<uuid:uuid>/delete/", rules.rule_delete, name="pools-rule-delete"),
    path("reroute/", operations.leads_reroute, name="pools-reroute"),
    path("return/", operations.leads_return, name="pools-leads-return"),
    path("leads/<uuid:uuid>/return/", operations.lead_return, name="pools-lead-return"),
    path("leads/<uuid:uuid>/withdraw/", operations.lead_withdraw, name="pools-lead-withdraw"),
    path("leads/<uuid:uuid>/add/", operations.lead_pool_add, name="pools-lead-add"),
    path("leads/<uuid:uuid>/allocate/", operations.lead_allocate, name="pools-lead-allocate"),
    path("leads/<uuid:uuid>/transfer/", operations.lead_transfer, name="pools-lead-transfer"),
    path("leads/<uuid:uuid>/reveal/<str:field>/", operations.lead_reveal, name="pools-reveal"),
    path("<uuid:uuid>/", pools.pool_detail, name="pools-detail"),
    path("<uuid:uuid>/edit/", pools.pool_edit, name="pools-edit"),
    path("<uuid:uuid>/claim/", operations.pool_claim, name="pools-claim"),
    path("<uuid:uuid>/allocate/", operations.pool_allocate, name="pools-allocate"),
    path("<uuid:uuid>/transfer/", operations.pool_transfer, name="pools-transfer"),
]
