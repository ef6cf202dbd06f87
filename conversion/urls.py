"""Every route of the conversion app, mounted at the site root by leadcrm.urls_tenants. Each
area keeps its routes in its own module under conversion/routes/."""

from django.urls import include, path

urlpatterns = [
    path("", include("conversion.routes.convert")),
    path("opportunities/", include("conversion.routes.opportunities")),
    path("customers/", include("conversion.routes.customers")),
    path("contacts/", include("conversion.routes.contacts")),
    path("settings/conversion/", include("conversion.routes.settings")),
]
