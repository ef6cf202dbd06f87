from django.urls import path

from analytics import views

urlpatterns = [
    path("", views.index, name="analytics-index"),
    path("losses/", views.losses, name="analytics-losses"),
    path("aging/", views.aging, name="analytics-aging"),
    path("trends/", views.trends, name="analytics-trends"),
]
