"""WSGI entry point (gunicorn salesopt.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesopt.settings.production")

application = get_wsgi_application()
