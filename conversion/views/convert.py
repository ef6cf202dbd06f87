"""Converting a lead: the wizard on the lead page (and its bulk form), and the API."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def lead_convert_wizard(request, uuid):
    return HttpResponse(status=501)
