"""A developer's machine: `make run`."""

from leadcrm.settings.base import *  # noqa: F403
from leadcrm.settings.base import env

DEBUG = env.bool("DEBUG", True)
LEADCRM_URL_SCHEME = env.str("LEADCRM_URL_SCHEME", "http")
