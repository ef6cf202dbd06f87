from django.urls import path

from conversion.views import convert

urlpatterns = [
    path("leads/<uuid:uuid>/convert/", convert.lead_convert_wizard, name="conversion-convert"),
    path(
        "leads/<uuid:uuid>/convert/customers/",
        convert.customer_search,
        name="conversion-convert-customer-search",
    ),
    path("leads/convert/", convert.leads_convert_bulk, name="conversion-convert-bulk"),
    path(
        "api/v1/leads/<uuid:uuid>/convert/",
        convert.api_lead_convert,
        name="api-lead-convert",
    ),
]
