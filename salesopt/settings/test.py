"""Test settings: only what makes the suite faster or deterministic."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-for-the-salesopt-suite-0123456789")

from .base import *  # noqa: F403
from .base import BASE_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
MEDIA_ROOT = BASE_DIR / ".test-media"
# Under CI every test must run: a skip for a missing server or browser becomes a failure.
SALESOPT_REQUIRE_ALL_TESTS = os.environ.get("SALESOPT_REQUIRE_ALL_TESTS", "") == "1"
# Tasks run in process unless a test starts a real worker (tests/celery_fixtures.py), even
# when REDIS_URL is set: a test must not leave messages for nobody in a shared broker.
CELERY_TASK_ALWAYS_EAGER = True
