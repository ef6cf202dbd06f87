"""Production: no default secret, HTTPS everywhere, `check --deploy` clean."""

from django.core.exceptions import ImproperlyConfigured

from leadcrm.settings.base import *  # noqa: F403
from leadcrm.settings.base import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # raises when missing
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be a long random value in production.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", True)
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MAILERS = {
    "default": {
        "BACKEND": env.str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env.str("EMAIL_HOST", "localhost"),
            "port": env.int("EMAIL_PORT", 587),
            "username": env.str("EMAIL_HOST_USER", ""),
            "password": env.str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env.bool("EMAIL_USE_TLS", True),
        },
    }
}
