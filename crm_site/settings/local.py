"""Settings for the run command on a developer's machine."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = SECRET_KEY or "local-only-not-secret-8f2c1d0e9b7a4c3f"  # noqa: F405
