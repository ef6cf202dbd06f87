"""The test suite: real Postgres and Redis, a real Celery worker (see tests/conftest.py)."""

from urllib.parse import urlsplit, urlunsplit

from leadcrm.settings.base import *  # noqa: F403
from leadcrm.settings.base import CACHES, REDIS_URL, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
# Keep the test run's cache and broker apart from a developer's running instance.
# Redis database 15 of the configured server, unless TEST_REDIS_URL says otherwise.
TEST_REDIS_URL = env.str("TEST_REDIS_URL", urlunsplit(urlsplit(REDIS_URL)._replace(path="/15")))
CACHES["default"]["LOCATION"] = TEST_REDIS_URL
CACHES["default"]["KEY_PREFIX"] = "leadcrm-test"
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
STATICFILES_DIRS = []
# Serve static files from the source folder: tests never run collectstatic.
STATIC_ROOT = BASE_DIR / "static"  # noqa: F405
WHITENOISE_USE_FINDERS = True
