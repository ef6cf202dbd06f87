from django.urls import path

from leads import views

urlpatterns = [
    path("", views.index, name="leads-index"),
]
