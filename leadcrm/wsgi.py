import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise (an empty value counts as unset): a server started without
# DJANGO_SETTINGS_MODULE gets the strict settings, never DEBUG and the dev secret key.
if not os.environ.get("DJANGO_SETTINGS_MODULE"):
    os.environ["DJANGO_SETTINGS_MODULE"] = "leadcrm.settings.production"
application = get_wsgi_application()
