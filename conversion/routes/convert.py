from django.urls import path

from conversion.views import convert

urlpatterns = [
    path("leads/<uuid:uuid>/convert/", convert.lead_convert_wizard, name="conversion-convert"),
]
