"""Customers: the list, the customer page (details, contacts, opportunities, activity, history
and where it came from), creating and editing one, logging activity and adding contacts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from conversion.custom_fields import custom_rows
from conversion.errors import ConversionError
from conversion.forms.customers import ContactForm, CustomerActivityForm, CustomerForm
from conversion.models import ConversionSettings, Customer
from conversion.selectors import customer_can_write, customer_get_for_user
from conversion.services import customers as services
from leads.listing import lead_table_page
from leads.selectors import lead_can_write

DETAIL_TABS = ("details", "contacts", "opportunities", "activity", "history")
SORT_LABELS = [
    ("name", gettext_lazy("Name")),
    ("newest", gettext_lazy("Newest")),
    ("opportunities", gettext_lazy("Most open opportunities")),
    ("amount", gettext_lazy("Largest open amount")),
]


def table_page(request, rows, name: str) -> dict:
    """One page of ``rows`` under ``name``, with the shared pager's context (it reads
    ``leads`` to know whether the page has rows)."""
    page = lead_table_page(request, rows)
    page[name] = page["leads"]
    return page


def list_filters_context(request, filters) -> dict:
    """What the shared filter bar of the customer and contact lists shows."""
    return {
        "filters": filters,
        "query": request.GET,
        "owners": services.owners_visible_to(request.user),
        "filtered": bool(filters.q or filters.owner or filters.created_from or filters.created_to),
    }


@login_required
def customer_list(request):
    filters = services.ListFilters.from_query(request.GET)
    customers = services.customer_list(user=request.user, filters=filters)
    context = {
        **table_page(request, customers, "customers"),
        **list_filters_context(request, filters),
        "sorts": SORT_LABELS,
        "currency": ConversionSettings.load().default_currency,
    }
    if request.htmx and request.htmx.target == "customer-results":
        return render(request, "conversion/customer_list.html#customer-results", context)
    return render(request, "conversion/customer_list.html", context)


@login_required
def customer_detail(request, uuid):
    customer = customer_get_for_user(user=request.user, uuid=uuid)
    tab = request.GET.get("tab", "details")
    context = _detail_context(request, customer, tab if tab in DETAIL_TABS else "details")
    if request.htmx and request.htmx.target == "customer-tab":
        return render(request, "conversion/customer_detail.html#customer-tab", context)
    return render(request, "conversion/customer_detail.html", context)


def _detail_context(request, customer: Customer, tab: str) -> dict:
    user = request.user
    conversions = list(customer.conversions.select_related("lead", "lead__source", "converted_by"))
    visible_leads = set(
        services.customer_converted_leads(user=user, customer=customer).values_list("pk", flat=True)
    )
    return {
        "customer": customer,
        "tab": tab,
        "can_write": customer_can_write(user, customer),
        "contacts": list(customer.contacts.select_related("owner").order_by("name")),
        "opportunities": list(
            customer.opportunities.select_related("stage", "owner", "contact").order_by(
                "-created_at"
            )
        ),
        "came_from": [c for c in conversions if c.lead_id in visible_leads],
        "came_from_hidden": len([c for c in conversions if c.lead_id not in visible_leads]),
        "timeline": services.customer_timeline(user=user, customer=customer)
        if tab == "activity"
        else [],
        "followups": _followups(user, customer),
        "files": services.customer_files(user=user, customer=customer),
        "history": services.customer_history(customer) if tab == "history" else [],
        "activity_form": CustomerActivityForm(customer=customer, initial={"kind": "call"}),
        "contact_form": ContactForm(),
        "custom_rows": custom_rows("customer", customer.custom_data),
        "now": timezone.now(),
    }


def _followups(user, customer: Customer) -> list:
    """The open follow-ups of the customer's converted leads, for the shared task row: the
    assignee and whoever may write the lead may mark one done."""
    tasks = list(services.customer_open_followups(user=user, customer=customer))
    for task in tasks:
        task.lead_visible = True
        task.can_complete = task.assignee_id == user.pk or lead_can_write(user, task.lead)
    return tasks


def _writable(request, uuid) -> Customer:
    customer = customer_get_for_user(user=request.user, uuid=uuid)
    if not customer_can_write(request.user, customer):
        raise PermissionDenied
    return customer


def refusal_to_form(form, exc: ConversionError) -> None:
    """Show a refusal of the services on the field it is about (or above the form)."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request):
    form = CustomerForm(request.POST or None, actor=request.user)
    existing = None
    if request.method == "POST" and form.is_valid():
        values = form.customer_data()
        owner = values.pop("owner")
        try:
            customer = services.customer_create(
                actor=request.user, owner=owner, values=values, custom=form.custom_values()
            )
        except ConversionError as exc:
            refusal_to_form(form, exc)
            existing = exc.existing
        else:
            messages.success(request, _("Customer created."))
            return redirect("conversion-customer-detail", uuid=customer.uuid)
    return render(
        request,
        "conversion/customer_form.html",
        {"form": form, "creating": True, "existing": existing},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, uuid):
    customer = _writable(request, uuid)
    # The form works on its own copy, so a refused save leaves the page's header as it was.
    form = CustomerForm(
        request.POST or None, instance=Customer.objects.get(pk=customer.pk), actor=request.user
    )
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                customer=customer,
                actor=request.user,
                custom=form.custom_values(),
                **form.customer_data(),
            )
        except ConversionError as exc:
            refusal_to_form(form, exc)
            existing = exc.existing
        else:
            messages.success(request, _("Saved."))
            return redirect("conversion-customer-detail", uuid=customer.uuid)
    return render(
        request,
        "conversion/customer_form.html",
        {"form": form, "customer": customer, "existing": existing},
    )


@login_required
@require_POST
def customer_activity_create(request, uuid):
    """Log activity from the customer page's side panel: back on the Activity tab, or the page
    again with the form's errors."""
    customer = _writable(request, uuid)
    form = CustomerActivityForm(request.POST, customer=customer)
    if form.is_valid():
        try:
            services.customer_activity_log(
                customer=customer, actor=request.user, **form.cleaned_data
            )
        except ConversionError as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, _("Logged."))
            detail = reverse("conversion-customer-detail", kwargs={"uuid": uuid})
            return redirect(f"{detail}?tab=activity")
    context = _detail_context(request, customer, "activity") | {"activity_form": form}
    return render(request, "conversion/customer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_contact_create(request, uuid):
    customer = _writable(request, uuid)
    form = ContactForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(
                customer=customer,
                actor=request.user,
                custom=form.custom_values(),
                **form.contact_data(),
            )
        except ConversionError as exc:
            refusal_to_form(form, exc)
            existing = exc.existing
        else:
            messages.success(request, _("Contact %(name)s added.") % {"name": contact.name})
            return redirect(
                reverse("conversion-customer-detail", kwargs={"uuid": uuid}) + "?tab=contacts"
            )
    return render(
        request,
        "conversion/contact_form.html",
        {"form": form, "customer": customer, "creating": True, "existing": existing},
    )
