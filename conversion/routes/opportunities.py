"""Opportunities: list, pipeline board, detail, create, edit, move."""

from django.urls import path

from conversion.views import opportunities

urlpatterns = [
    path("", opportunities.opportunity_list, name="conversion-opportunities"),
    path("board/", opportunities.opportunity_board, name="conversion-opportunity-board"),
    path("new/", opportunities.opportunity_create, name="conversion-opportunity-create"),
    path("<uuid:uuid>/", opportunities.opportunity_detail, name="conversion-opportunity-detail"),
    path("<uuid:uuid>/edit/", opportunities.opportunity_edit, name="conversion-opportunity-edit"),
    path("<uuid:uuid>/move/", opportunities.opportunity_move, name="conversion-opportunity-move"),
]
