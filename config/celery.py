"""Celery application. With CELERY_BROKER_URL unset, tasks run inline (eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("pdm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks of the domain packages inside the app "projects".
app.autodiscover_tasks(["projects.demands", "projects.redundancy"])
