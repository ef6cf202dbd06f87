from django.urls import path

from analytics.views import aging, dashboard, losses, pools, quality, reps, sources, trends

urlpatterns = [
    path("", dashboard.index, name="analytics-index"),
    path("sources/", sources.sources, name="analytics-sources"),
    path("reps/", reps.reps, name="analytics-reps"),
    path("pools/", pools.pools, name="analytics-pools"),
    path("losses/", losses.losses, name="analytics-losses"),
    path("aging/", aging.aging, name="analytics-aging"),
    path("trends/", trends.trends, name="analytics-trends"),
    path("quality/", quality.quality, name="analytics-quality"),
]
