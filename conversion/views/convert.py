"""Converting a lead: the wizard on the lead page, its customer search, the bulk form, and the
API endpoint. All of them call conversion.services.convert.lead_convert."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conversion.errors import ConversionError
from conversion.forms.convert import ConvertForm
from conversion.mapping import mapped_values, mapping_effective
from conversion.models import Conversion, ConversionSettings, Customer
from conversion.selectors import contacts_visible_to, customers_visible_to, stages_active
from conversion.services.convert import (
    ConvertRequest,
    customer_match,
    lead_convert,
    lead_may_convert,
    lead_open_followups_count,
)
from leadcrm.api import (
    api_authenticate,
    api_body,
    api_earlier,
    api_error,
    api_idempotency_key,
    api_remember,
    api_replay,
    api_request_hash,
)
from leadcrm.parsing import uuid_or_none, uuids_parse
from leads import selectors as lead_selectors
from leads.models import Lead

SEARCH_LIMIT = 10
BULK_MAX = 200


def customer_url(customer: Customer) -> str:
    return reverse("conversion-customer-detail", kwargs={"uuid": customer.uuid})


def _lead_for_converting(request, uuid) -> Lead:
    lead = lead_selectors.lead_get_for_user(user=request.user, uuid=uuid)
    if not lead_may_convert(request.user, lead):
        raise PermissionDenied
    return lead


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert_wizard(request, uuid):
    """GET: what converting will create or link, pre-filled from the lead. POST: convert."""
    lead = lead_selectors.lead_get_for_user(user=request.user, uuid=uuid)
    done = Conversion.objects.filter(lead=lead).select_related("customer").first()
    if done is not None:
        messages.info(request, _("This lead is already converted."))
        return redirect(customer_url(done.customer))
    if not lead_may_convert(request.user, lead):
        raise PermissionDenied
    form = ConvertForm(request.POST or None, initial=_initial(request, lead))
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            conversion = lead_convert(
                lead=lead, actor=request.user, request=_convert_request(request, form)
            )
        except ConversionError as exc:
            problem = exc
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(lead)s is converted: customer %(customer)s.")
                % {"lead": lead.name, "customer": conversion.customer.name},
            )
            return redirect(customer_url(conversion.customer))
    return render(request, "conversion/convert.html", _context(request, lead, form, problem))


def _initial(request, lead: Lead) -> dict:
    settings_row = ConversionSettings.load()
    mapping = mapping_effective(settings_row.field_mapping)
    contact, _custom = mapped_values(lead, mapping["contact"])
    customer, _custom = mapped_values(lead, mapping["customer"])
    name = customer.get("name") or lead.company or lead.name
    match = _visible_match(request.user, name)
    stages = stages_active()
    first_open = next((s for s in stages if s.outcome == "open"), None)
    product = f" · {lead.product_line}" if lead.product_line else ""
    return {
        "customer": str(match.uuid) if match else "new",
        "customer_name": name,
        "contact": "new",
        **{f"contact_{field}": value for field, value in contact.items() if field != "notes"},
        "opportunity_name": f"{name}{product}"[:200],
        "currency": settings_row.default_currency,
        "stage": str(first_open.uuid) if first_open else "",
    }


def _visible_match(user, name: str) -> Customer | None:
    if not ConversionSettings.load().customer_duplicate_check:
        return None
    match = customer_match(name=name)
    if match is not None and customers_visible_to(user).filter(pk=match.pk).exists():
        return match
    return None


def _convert_request(request, form: ConvertForm) -> ConvertRequest:
    data = form.cleaned_data
    customer = None
    if data["customer"] != "new":
        customer = customers_visible_to(request.user).filter(uuid=data["customer"]).first()
        if customer is None:
            raise ConversionError(_("Choose a customer you can open."), field="customer")
    contact = None
    if data["contact"] not in ("new", "none"):
        contact = contacts_visible_to(request.user).filter(uuid=data["contact"]).first()
    opportunity = None
    if data["opportunity"]:
        opportunity = {
            "name": data["opportunity_name"],
            "amount": data["amount"],
            "currency": data["currency"],
            "expected_close_date": data["expected_close_date"],
            "stage": data["stage"],
        }
    return ConvertRequest(
        customer=customer,
        new_customer={"name": data["customer_name"]} if customer is None else None,
        contact=contact,
        create_contact=data["contact"] != "none",
        contact_values={
            field: data[f"contact_{field}"]
            for field in ("name", "job_title", "email", "mobile", "phone")
        },
        opportunity=opportunity,
    )


def _context(request, lead: Lead, form: ConvertForm, problem) -> dict:
    settings_row = ConversionSettings.load()
    chosen = form["customer"].value() or "new"
    chosen_customer = (
        customers_visible_to(request.user).filter(uuid=chosen).first()
        if uuid_or_none(chosen)
        else None
    )
    proposed = _visible_match(request.user, form["customer_name"].value() or lead.company)
    return {
        "lead": lead,
        "form": form,
        "section": "leads/",
        "customer_choice": str(chosen),
        "contact_choice": str(form["contact"].value() or "new"),
        "proposed": proposed,
        "chosen_customer": chosen_customer,
        "chosen_contacts": list(chosen_customer.contacts.all()[:50]) if chosen_customer else [],
        "existing": getattr(problem, "existing", None),
        "stages": stages_active(),
        "settings": settings_row,
        "open_followups": lead_open_followups_count(lead),
        "contacts_masked": lead_selectors.lead_contacts_masked(user=request.user, lead=lead),
    }


@login_required
@require_GET
def customer_search(request, uuid):
    """The wizard's "link another customer" search (HTMX): visible customers by name."""
    lead = _lead_for_converting(request, uuid)
    query = (request.GET.get("q") or "").strip()[:100]
    found = []
    if query:
        found = list(
            customers_visible_to(request.user)
            .filter(name__icontains=query)
            .select_related("owner")
            .order_by("name")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "conversion/partials/_customer_choices.html",
        {"lead": lead, "found": found, "query": query},
    )


@login_required
@require_POST
def leads_convert_bulk(request):
    """Convert the ticked leads with the defaults: each becomes its own customer unless a
    customer with its company exists (then it is linked), with a contact and no opportunity.
    Each lead is its own transaction; the refused ones are listed with their reason."""
    ids, _invalid = uuids_parse(request.POST.getlist("lead"))
    leads = list(lead_selectors.leads_visible_to(request.user).filter(uuid__in=ids[:BULK_MAX]))
    converted, refused = 0, []
    for lead in leads:
        try:
            lead_convert(lead=lead, actor=request.user)
            converted += 1
        except ConversionError as exc:
            refused.append(f"{lead.name}: {exc.message}")
    if converted:
        messages.success(
            request,
            ngettext("%(n)d lead converted.", "%(n)d leads converted.", converted)
            % {"n": converted},
        )
    if refused:
        messages.error(
            request,
            ngettext(
                "%(n)d lead was not converted: %(reasons)s",
                "%(n)d leads were not converted: %(reasons)s",
                len(refused),
            )
            % {"n": len(refused), "reasons": "; ".join(refused[:10])},
        )
    if not leads:
        messages.error(request, _("Tick the leads to convert first."))
    query = QueryDict(request.POST.get("next", "")).urlencode()
    return redirect(reverse("leads-index") + (f"?{query}" if query else ""))


@csrf_exempt
@require_POST
def api_lead_convert(request, uuid):
    """POST /api/v1/leads/<id>/convert/ with an optional JSON body:
    ``{"customer": "<uuid>" | null, "customer_name": str, "contact": true | false | "<uuid>",
    "opportunity": {"name", "amount", "currency", "expected_close_date", "stage"} | null}``.
    201 with what was created or linked; 409 when already converted or a duplicate refuses
    it; 422 for other refusals. Idempotency-Key makes a retry answer the same."""
    api_key = api_authenticate(request)
    if api_key is None:
        return api_error(401, _("Send a valid API key: Authorization: Bearer lck_..."))
    data, problem = api_body(request)
    if problem:
        return problem
    actor = api_key.created_by
    key, request_hash = api_idempotency_key(request), api_request_hash({"lead": str(uuid), **data})
    earlier = api_earlier(api_key, key)
    if earlier is not None:
        return api_replay(earlier, request_hash)
    lead = lead_selectors.leads_visible_to(actor).filter(uuid=uuid).first()
    if lead is None:
        return api_error(404, _("No such lead."))
    try:
        with transaction.atomic():
            conversion = lead_convert(lead=lead, actor=actor, request=_api_request(actor, data))
            body = conversion_json(conversion)
            api_remember(api_key, key, request_hash, 201, body)
    except ConversionError as exc:
        return api_error(exc.status, exc.message, exc.field)
    except IntegrityError:
        earlier = api_earlier(api_key, key)
        if earlier is None:
            raise
        return api_replay(earlier, request_hash)
    return JsonResponse(body, status=201)


def _api_request(actor, data: dict) -> ConvertRequest:
    customer = None
    if data.get("customer"):
        customer = customers_visible_to(actor).filter(uuid=uuid_or_none(data["customer"])).first()
        if customer is None:
            raise ConversionError(_("Choose a customer you can open."), field="customer")
    contact, create_contact = None, True
    if isinstance(data.get("contact"), str):
        contact = contacts_visible_to(actor).filter(uuid=uuid_or_none(data["contact"])).first()
        if contact is None:
            raise ConversionError(_("Choose a contact of this customer."), field="contact")
    elif data.get("contact") is False:
        create_contact = False
    opportunity = data.get("opportunity")
    if opportunity is not None and not isinstance(opportunity, dict):
        raise ConversionError(_("opportunity must be an object."), field="opportunity")
    new_customer = None
    if customer is None and data.get("customer_name"):
        new_customer = {"name": str(data["customer_name"])}
    return ConvertRequest(
        customer=customer,
        new_customer=new_customer,
        contact=contact,
        create_contact=create_contact,
        opportunity={k: opportunity.get(k) for k in (
            "name", "amount", "currency", "expected_close_date", "stage"
        )} if opportunity else None,
    )  # fmt: skip


def conversion_json(conversion) -> dict:
    opportunity = conversion.opportunity
    return {
        "lead": str(conversion.lead.uuid),
        "converted_at": conversion.converted_at.isoformat(),
        "customer": {
            "id": str(conversion.customer.uuid),
            "name": conversion.customer.name,
            "created": conversion.customer_created,
        },
        "contact": {
            "id": str(conversion.contact.uuid),
            "name": conversion.contact.name,
            "created": conversion.contact_created,
        }
        if conversion.contact
        else None,
        "opportunity": {
            "id": str(opportunity.uuid),
            "name": opportunity.name,
            "amount": str(opportunity.amount),
            "currency": opportunity.currency,
            "stage": opportunity.stage.name,
        }
        if opportunity
        else None,
    }
