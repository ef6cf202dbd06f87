"""The test suite: real Postgres and Redis, a real Celery worker (see tests/conftest.py)."""

import os
from urllib.parse import urlsplit, urlunsplit

from leadcrm.settings.base import *  # noqa: F403
from leadcrm.settings.base import CACHES, DATABASES, REDIS_URL, env

# Each test run gets its own database, Redis key space and queues, so two runs on one machine
# (a developer's and CI's, or several at once) never drop or consume each other's data. The
# Celery worker started by the tests inherits the run id through the environment.
TEST_RUN_ID = env.str("LEADCRM_TEST_RUN_ID", "") or str(os.getpid())
os.environ["LEADCRM_TEST_RUN_ID"] = TEST_RUN_ID
DATABASES["default"]["TEST"] = {"NAME": f"test_leadcrm_{TEST_RUN_ID}"}

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
# Keep the test run's cache and broker apart from a developer's running instance.
# Redis database 15 of the configured server, unless TEST_REDIS_URL says otherwise.
TEST_REDIS_URL = env.str("TEST_REDIS_URL", urlunsplit(urlsplit(REDIS_URL)._replace(path="/15")))
CACHES["default"]["LOCATION"] = TEST_REDIS_URL
CACHES["default"]["KEY_PREFIX"] = f"leadcrm-test-{TEST_RUN_ID}"
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
_KEY_PREFIX = {"global_keyprefix": f"leadcrm-test-{TEST_RUN_ID}:"}
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, **_KEY_PREFIX}  # noqa: F405
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = _KEY_PREFIX
STATICFILES_DIRS = []
# Serve static files from the source folder: tests never run collectstatic.
STATIC_ROOT = BASE_DIR / "static"  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Tests check every figure against hand counts after changing the data: nothing kept between
# requests (tests/analytics/test_cache.py turns keeping on where it tests it).
ANALYTICS_CACHE_SECONDS = 0
