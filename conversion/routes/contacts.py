"""Contact pages, mounted at /contacts/ (new contacts are added under their customer)."""

from django.urls import path

from conversion.views import contacts

urlpatterns = [
    path("", contacts.contact_list, name="conversion-contacts"),
    path("<uuid:uuid>/", contacts.contact_detail, name="conversion-contact-detail"),
    path("<uuid:uuid>/edit/", contacts.contact_edit, name="conversion-contact-edit"),
]
