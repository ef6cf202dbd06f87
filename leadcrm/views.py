from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render

from leadcrm.accounts.models import Team, User
from leadcrm.home import home_context


@login_required
def home(request):
    """The tenant's start page: what to do next and the state of the team."""
    context = {
        "user_count": User.objects.filter(is_active=True).count(),
        "team_count": Team.objects.count(),
        **home_context(request.user),
    }
    return render(request, "home.html", context)


def healthz(request):
    """Liveness and database reachability, for load balancers and the run command."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (downloads, error pages)."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
