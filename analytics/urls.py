from django.urls import path

from analytics.views import aging, dashboard, losses, quality, trends

urlpatterns = [
    path("", dashboard.index, name="analytics-index"),
    path("losses/", losses.losses, name="analytics-losses"),
    path("aging/", aging.aging, name="analytics-aging"),
    path("trends/", trends.trends, name="analytics-trends"),
    path("quality/", quality.quality, name="analytics-quality"),
]
