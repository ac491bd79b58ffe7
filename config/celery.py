"""Celery application. With CELERY_BROKER_URL unset, tasks run inline (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("pdm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks of the domain packages inside the app "projects".
app.autodiscover_tasks(["projects.demands", "projects.redundancy"])

# The request id of the web request that queued a job follows it into the worker's log lines.
from core.request_id import connect_celery  # noqa: E402

connect_celery()
