"""Web-to-lead forms: the public form and its settings pages."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leadcrm.accounts.throttle import client_address
from leads.errors import LeadError
from leads.forms.webforms import WebFormForm, webform_field_labels
from leads.hooks import destination_choices
from leads.models import WebForm
from leads.services import webforms as services

MAX_BODY = 20 * 1024


PUBLIC_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["*"],  # embeddable anywhere: it only collects, it shows nothing
    "form-action": ["'self'", "https:", "http:"],  # the thank-you redirect may go anywhere
}


@csrf_exempt  # posted from other sites; a honeypot and a rate limit guard it instead
@xframe_options_exempt
@csp_override(PUBLIC_CSP)
@require_http_methods(["GET", "POST"])
def webform_public(request, uuid):
    form = get_object_or_404(WebForm, uuid=uuid, is_active=True)
    labels = webform_field_labels()
    context = {
        "form": form,
        "rows": [(f, labels[f], f == "name" or f in form.required) for f in ("name", *form.fields)],
        "values": {},
        "errors": {},
        "utm": {k: request.GET.get(k, "") for k in services.UTM_KEYS},
        "honeypot": services.HONEYPOT,
    }
    if request.method == "GET":
        return render(request, "leads/webform_public.html", context)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return HttpResponse(_("The submission is too large."), status=413)
    data = request.POST
    context["values"] = {k: data.get(k, "") for k, _l, _r in context["rows"]}
    context["utm"] = {k: data.get(k) or request.GET.get(k, "") for k in services.UTM_KEYS}
    visitor = client_address(request)  # behind the configured proxies, the real client
    try:
        services.webform_submit(form=form, data=data, utm=context["utm"], visitor=visitor)
    except services.SubmissionRefused as error:
        context["refused"] = error.message
        return render(request, "leads/webform_public.html", context, status=429)
    except LeadError as error:
        shown = [field for field, _label, _required in context["rows"]]
        if error.field and error.field not in shown:  # e.g. "an email or a phone" on a form
            context["refused"] = error.message  # without an email field: said above the form
        else:
            context["errors"] = {error.field or "name": error.message}
        return render(request, "leads/webform_public.html", context, status=422)
    if form.redirect_url:
        return redirect(form.redirect_url)
    return render(request, "leads/webform_public.html", {**context, "done": True})


@role_required(Role.TENANT_ADMIN)
def webform_list(request):
    labels = dict(destination_choices(request.user))
    webforms = list(WebForm.objects.select_related("source", "owner"))
    for webform in webforms:
        webform.destination_label = labels.get(webform.destination, "")
    return render(
        request,
        "leads/settings/webforms.html",
        {"forms": webforms, "tab": "web-forms"},
    )


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def webform_edit(request, uuid=None):
    instance = get_object_or_404(WebForm, uuid=uuid) if uuid else None
    form = WebFormForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            instance = services.webform_save(actor=request.user, form=instance, **form.cleaned_data)
        except LeadError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Web form saved. Copy the embed code below."))
            return redirect("leads-webform-edit", uuid=instance.uuid)
    public_url = request.build_absolute_uri(f"/f/{instance.uuid}/") if instance is not None else ""
    return render(
        request,
        "leads/settings/webform_form.html",
        {
            "form": form,
            "instance": instance,
            "public_url": public_url,
            "tab": "web-forms",
            "honeypot": services.HONEYPOT,
        },
    )
