from django.urls import path

from analytics.views import aging, dashboard, losses, reps, trends

urlpatterns = [
    path("", dashboard.index, name="analytics-index"),
    path("losses/", losses.losses, name="analytics-losses"),
    path("aging/", aging.aging, name="analytics-aging"),
    path("trends/", trends.trends, name="analytics-trends"),
    path("reps/", reps.reps, name="analytics-reps"),
]
