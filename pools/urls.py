from django.urls import path

from pools import views

urlpatterns = [
    path("", views.index, name="pools-index"),
]
