"""The Celery application. Settings live in Django settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesopt.settings.base")

# DjangoTask adds delay_on_commit(): a task is only published once the transaction that asked
# for it has committed, so a worker never looks for rows that are not there yet.
app = Celery("salesopt", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
