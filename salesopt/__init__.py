"""salesopt: upgrade a company's sales management with its own CRM data."""

from .celery import app as celery_app

__all__ = ("celery_app",)
