"""The test suite: real Postgres and Redis, a real Celery worker (see tests/conftest.py)."""

from leadcrm.settings.base import *  # noqa: F403
from leadcrm.settings.base import CACHES, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Keep the test run's cache and broker apart from a developer's running instance.
TEST_REDIS_URL = env.str("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CACHES["default"]["LOCATION"] = TEST_REDIS_URL
CACHES["default"]["KEY_PREFIX"] = "leadcrm-test"
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
