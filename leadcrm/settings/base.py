"""Settings shared by every environment, read from the environment and parsed strictly.

environs raises at start-up on a malformed value (``DEBUG=maybe``, a bad URL), so a typo in a
deployment fails loudly instead of running with a silent default.
"""

from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from environs import Env

from leadcrm.settings.tenancy import *  # noqa: F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = Env(expand_vars=True)
env.read_env(BASE_DIR / ".env", recurse=False)

SECRET_KEY = env.str("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DEBUG", False)

# Tenants live on subdomains of this domain: acme.<LEADCRM_BASE_DOMAIN>. The public site
# (sign-up) answers on the base domain itself.
LEADCRM_BASE_DOMAIN = env.str("LEADCRM_BASE_DOMAIN", "localhost")
# Links in emails sent by background jobs: scheme and (on a developer's machine) port.
LEADCRM_URL_SCHEME = env.str("LEADCRM_URL_SCHEME", "http" if DEBUG else "https")
LEADCRM_URL_PORT = env.int("LEADCRM_URL_PORT", 0)
#: How many reverse proxies in front of gunicorn add to X-Forwarded-For (0: none, the client
#: is REMOTE_ADDR). Sign-in throttling and the web-form rate limit read the client's address
#: through leadcrm.accounts.throttle.client_address.
LEADCRM_TRUSTED_PROXIES = env.int("LEADCRM_TRUSTED_PROXIES", 0)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", [LEADCRM_BASE_DOMAIN, f".{LEADCRM_BASE_DOMAIN}", "127.0.0.1"]
)

DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        "postgres://postgres@127.0.0.1:5432/leadcrm",
        engine="django_tenants.postgresql_backend",
        conn_max_age=env.int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# No JIT compilation: the reports' aggregate queries cross jit_above_cost and paid 50-100 ms
# of compiling each for queries that run in tens of milliseconds (bench/results/
# analytics_dashboard.md); no query of this product runs long enough to win it back.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key is prefixed with the current schema, so tenants never share an entry.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", "leadcrm"),
    }
}

MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "leadcrm.tenancy.middleware.TenantTimezoneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "leadcrm.middleware.InputCleaningMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "leadcrm.accounts.middleware.TenantBoundSessionMiddleware",
    "leadcrm.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "leadcrm.middleware.PrivatePagesMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "leadcrm.context_processors.tenant",
                "leadcrm.context_processors.notifications_unread",
            ],
        },
    }
]

WSGI_APPLICATION = "leadcrm.wsgi.application"
FORM_RENDERER = "leadcrm.forms_renderer.FormRenderer"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts-login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts-login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3  # invitations use the same tokens: three days

SESSION_ENGINE = "django.contrib.sessions.backends.db"  # per-tenant table, see tenancy.py
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
FORMAT_MODULE_PATH = ["leadcrm.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are kept per tenant: MEDIA_ROOT/<schema>/... (never served publicly; views
# that check access stream them).
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", BASE_DIR / ".data" / "media")
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"

MAILERS = {
    "default": {
        "BACKEND": env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "LeadCRM <no-reply@leadcrm.local>")

# Content Security Policy (Django's built-in middleware): everything from our own origin,
# no inline scripts or styles, no eval. HTMX is vendored and configured not to need eval.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Celery: every task carries its tenant (tenant-schemas-celery puts the schema in a header);
# the base task refuses to run without one. See leadcrm/tasking.py.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES_NAMES = ["default", "import", "dedup", "scoring", "routing"]
# Where each task runs is declared here, not where it is queued. Unlisted tasks: "default".
CELERY_TASK_ROUTES = {
    "leads.tasks.importing.*": {"queue": "import"},
    "leads.tasks.dedup.*": {"queue": "dedup"},
    "pools.tasks.route_leads": {"queue": "routing"},
    "scoring.tasks.*": {"queue": "scoring"},
}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_TENANT_CACHE_SECONDS = 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60 * 2}
CELERY_BEAT_SCHEDULER = "tenant_schemas_celery.scheduler:TenantAwareScheduler"
CELERY_BEAT_SCHEDULE = {
    # Each entry without "tenant_schemas" runs once per tenant (never in public).
    "accounts-clear-expired-sessions": {
        "task": "leadcrm.accounts.tasks.sessions_clear_expired",
        "schedule": 60 * 60 * 6,
    },
    "leads-task-reminders": {
        "task": "leads.tasks.followups.followup_reminders_send",
        "schedule": 60 * 5,
        "options": {"expires": 60 * 5},  # a late run is superseded by the next one
    },
    "leads-files-cleanup": {
        "task": "leads.tasks.files.files_cleanup",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60},
    },
    "scoring-nightly": {
        "task": "scoring.tasks.score_nightly",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 6},
    },
    "jobs-sweep": {
        "task": "leadcrm.jobs.tasks.jobs_sweep",
        "schedule": 60 * 5,
        "options": {"expires": 60 * 5},
    },
    "pools-route-late-leads": {
        "task": "pools.tasks.route_late_leads",
        "schedule": 60 * 10,
        "options": {"expires": 60 * 10},
    },
    "pools-reclaim": {
        "task": "pools.tasks.pools_reclaim",
        "schedule": 60 * 15,
        "options": {"expires": 60 * 15},
    },
    "pools-low-score-handoff": {
        "task": "pools.tasks.pools_low_score_handoff",
        "schedule": 60 * 60 * 24,
        "options": {"expires": 60 * 60 * 6},
    },
    # The dashboard's rollups of big workspaces (small ones have none: nothing to do).
    "analytics-rollups": {
        "task": "analytics.tasks.rollups_rebuild",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 60},
    },
    # Hourly: the task sends on Monday from 07:00 in each tenant's own time zone.
    "analytics-weekly-digest": {
        "task": "analytics.tasks.digest_weekly_send",
        "schedule": 60 * 60,
        "options": {"expires": 60 * 60},
    },
}


def logging_config(log_file: str = "", level: str = "INFO") -> dict:
    """Log to the console, and to ``log_file`` too when given (``make run`` gives the web
    processes .data/logs/web.log, where the README sends people for a 500's traceback)."""
    handlers = {"console": {"class": "logging.StreamHandler", "formatter": "plain"}}
    if log_file:
        handlers["file"] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": log_file,
            "formatter": "plain",
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": handlers,
        "root": {"handlers": list(handlers), "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


LOGGING = logging_config(env.str("LEADCRM_LOG_FILE", ""), env.str("LOG_LEVEL", "INFO"))

# How long the reports keep one reader's figures for one set of filters (analytics.cache);
# every report page says when its figures were computed and offers to compute them again.
ANALYTICS_CACHE_SECONDS = env.int("ANALYTICS_CACHE_SECONDS", 600)
# Workspaces with at least this many leads get the dashboard's rollups (analytics.rollups,
# rebuilt hourly); smaller ones are read live, always current.
ANALYTICS_ROLLUP_MIN_LEADS = env.int("ANALYTICS_ROLLUP_MIN_LEADS", 200_000)
