"""Customer pages, mounted at /customers/."""

from django.urls import path

from conversion.views import customers

urlpatterns = [
    path("", customers.customer_list, name="conversion-customers"),
    path("new/", customers.customer_create, name="conversion-customer-create"),
    path("<uuid:uuid>/", customers.customer_detail, name="conversion-customer-detail"),
    path("<uuid:uuid>/edit/", customers.customer_edit, name="conversion-customer-edit"),
    path(
        "<uuid:uuid>/activity/",
        customers.customer_activity_create,
        name="conversion-customer-activity-create",
    ),
    path(
        "<uuid:uuid>/contacts/new/",
        customers.customer_contact_create,
        name="conversion-contact-create",
    ),
]
