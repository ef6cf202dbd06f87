"""E-mail: the lead page's Emails tab (write from a template, send, see opens and clicks) and
Settings → E-mail (the tenant's mail server with its "Send test", and the templates).

Thin views over leads.services.emails and leads.services.email_setup. The tab's form answers
HTMX with the tab's region (#emails-tab) and a plain post with a redirect, or, when refused,
a page of its own with what was typed and why.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leadcrm.accounts.permissions import role_required
from leadcrm.accounts.roles import Role
from leads import selectors
from leads.errors import LeadError
from leads.forms.emails import EmailComposeForm, EmailSettingsForm, EmailTemplateForm
from leads.models import EmailSettings, EmailTemplate
from leads.services import email_setup
from leads.services import emails as email_services


def _apply_error(form, exc: LeadError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# The lead page's Emails tab


def emails_tab_context(request, lead, *, form: EmailComposeForm | None = None) -> dict:
    """What templates/leads/partials/_emails_tab.html shows. ``?template=<uuid>`` fills the
    form with that template, its merge fields filled for this lead."""
    refusal = email_services.email_refusal(lead=lead, user=request.user)
    templates = list(EmailTemplate.objects.filter(is_active=True))
    chosen = next((t for t in templates if str(t.uuid) == request.GET.get("template")), None)
    if form is None:
        initial = {}
        if chosen is not None and not refusal:
            render = email_setup.merge_fields_render
            initial = {
                "template": chosen.uuid,
                "subject": render(chosen.subject, lead=lead, sender=request.user),
                "body": render(chosen.body, lead=lead, sender=request.user),
            }
        form = EmailComposeForm(initial=initial)
    masked = selectors.lead_contacts_masked(user=request.user, lead=lead)
    console_only = (
        not EmailSettings.load().configured and email_setup.default_mailer_writes_to_console()
    )
    return {
        "refusal": refusal,
        "console_only": console_only,
        "form": form,
        "templates": templates,
        "chosen": chosen,
        "emails": email_services.lead_emails(lead, masked=masked),
    }


@login_required
@require_POST
def email_send(request, uuid):
    lead = selectors.lead_get_for_user(user=request.user, uuid=uuid, write=True)
    form = EmailComposeForm(request.POST)
    sent = False
    if form.is_valid():
        try:
            email_services.email_compose(
                lead=lead,
                actor=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                template=form.cleaned_data["template"],
            )
        except LeadError as exc:
            _apply_error(form, exc)
        else:
            sent = True
    if sent and not request.htmx:
        messages.success(request, _("E-mail queued: it leaves in a moment."))
        return redirect(reverse("leads-detail", kwargs={"uuid": lead.uuid}) + "?tab=emails")
    context = {
        "lead": lead,
        "emails_tab": emails_tab_context(request, lead, form=None if sent else form),
        "email_queued": sent,
    }
    if request.htmx:
        return render(request, "leads/partials/_emails_tab.html", context)
    return render(request, "leads/emails/compose.html", context)


# Settings → E-mail


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def email_settings(request):
    row = EmailSettings.load()
    initial = {
        name: getattr(row, name)
        for name in ("host", "port", "security", "username", "from_email", "from_name")
    }
    form = EmailSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            email_setup.email_settings_save(actor=request.user, **form.cleaned_data)
        except LeadError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Saved. Send a test e-mail to check the server."))
            return redirect("leads-email-settings")
    context = {
        "form": form,
        "settings_row": row,
        "default_is_console": email_setup.default_mailer_writes_to_console(),
        "templates": EmailTemplate.objects.all(),
        "merge_fields": email_setup.MERGE_FIELDS.values(),
        "tab": "email",
    }
    return render(request, "leads/emails/settings.html", context)


@role_required(Role.TENANT_ADMIN)
@require_POST
def email_settings_test(request):
    row = email_setup.email_settings_test(actor=request.user)
    if row.test_error:
        messages.error(
            request, _("The test e-mail was not sent: %(error)s") % {"error": row.test_error}
        )
    else:
        messages.success(
            request, _("Test e-mail sent to %(email)s.") % {"email": request.user.email}
        )
    return redirect("leads-email-settings")


@role_required(Role.TENANT_ADMIN)
@require_http_methods(["GET", "POST"])
def email_template_edit(request, uuid=None):
    template = get_object_or_404(EmailTemplate, uuid=uuid) if uuid else None
    initial = (
        {"name": template.name, "subject": template.subject, "body": template.body}
        if template
        else {}
    )
    form = EmailTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            email_setup.email_template_save(
                actor=request.user, template=template, **form.cleaned_data
            )
        except LeadError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("leads-email-settings")
    context = {
        "form": form,
        "template": template,
        "merge_fields": email_setup.MERGE_FIELDS.values(),
        "tab": "email",
    }
    return render(request, "leads/emails/template_form.html", context)


@role_required(Role.TENANT_ADMIN)
@require_POST
def email_template_delete(request, uuid):
    template = get_object_or_404(EmailTemplate, uuid=uuid)
    email_setup.email_template_delete(template=template, actor=request.user)
    messages.success(request, _("Template deleted."))
    return redirect("leads-email-settings")
