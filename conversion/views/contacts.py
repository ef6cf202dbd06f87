"""Contacts: the list of everyone at the customers a user may see, a contact's page and editing
it (contacts are added from their customer's page: conversion.views.customers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from conversion.custom_fields import custom_rows
from conversion.errors import ConversionError
from conversion.forms.customers import ContactForm
from conversion.models import Contact
from conversion.selectors import contact_get_for_user
from conversion.services import customers as services
from conversion.views.customers import (
    list_filters_context,
    refusal_to_form,
    table_page,
)

DETAIL_TABS = ("details", "opportunities", "history")
SORT_LABELS = [
    ("name", pgettext_lazy("person", "Name")),
    ("newest", gettext_lazy("Newest")),
    ("customer", gettext_lazy("Customer")),
]


@login_required
def contact_list(request):
    filters = services.ListFilters.from_query(request.GET, sorts=services.CONTACT_SORTS)
    contacts = services.contact_list(user=request.user, filters=filters)
    context = {
        **table_page(request, contacts, "contacts"),
        **list_filters_context(request, filters),
        "sorts": SORT_LABELS,
    }
    if request.htmx and request.htmx.target == "contact-results":
        return render(request, "conversion/contact_list.html#contact-results", context)
    return render(request, "conversion/contact_list.html", context)


@login_required
def contact_detail(request, uuid):
    contact = contact_get_for_user(user=request.user, uuid=uuid)
    tab = request.GET.get("tab", "details")
    tab = tab if tab in DETAIL_TABS else "details"
    context = {
        "contact": contact,
        "tab": tab,
        "can_write": services.contact_can_write(request.user, contact),
        "opportunities": list(
            contact.opportunities.select_related("stage", "owner", "customer").order_by(
                "-created_at"
            )
        ),
        "history": services.contact_history(contact) if tab == "history" else [],
        "custom_rows": custom_rows("contact", contact.custom_data),
    }
    if request.htmx and request.htmx.target == "contact-tab":
        return render(request, "conversion/contact_detail.html#contact-tab", context)
    return render(request, "conversion/contact_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, uuid):
    contact = contact_get_for_user(user=request.user, uuid=uuid)
    if not services.contact_can_write(request.user, contact):
        raise PermissionDenied
    form = ContactForm(request.POST or None, instance=Contact.objects.get(pk=contact.pk))
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(
                contact=contact,
                actor=request.user,
                custom=form.custom_values(),
                **form.contact_data(),
            )
        except ConversionError as exc:
            refusal_to_form(form, exc)
            existing = exc.existing
        else:
            messages.success(request, _("Saved."))
            return redirect("conversion-contact-detail", uuid=contact.uuid)
    return render(
        request,
        "conversion/contact_form.html",
        {"form": form, "contact": contact, "customer": contact.customer, "existing": existing},
    )
