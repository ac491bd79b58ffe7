"""A request id on every log line, carried from the web request into the Celery jobs it queues.

- `RequestIdMiddleware` takes the proxy's `X-Request-ID` when it is a sane token (nginx sets
  `$request_id`), or makes one, and answers it back in the same header.
- `RequestIdFilter` puts it on every log record (`record.request_id`, "-" outside a request).
- `connect_celery()` (called by config/celery.py) sends it as a message header when a job is
  queued and restores it in the worker while the job runs, so one id follows the work through.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
current: ContextVar[str] = ContextVar("request_id", default="-")


def new_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _SANE.match(given) else new_id()
        token = current.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


def connect_celery() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    tokens: dict[str, object] = {}

    @before_task_publish.connect(weak=False)
    def _send(headers=None, **kwargs):
        if headers is not None and current.get() != "-":
            headers.setdefault("request_id", current.get())

    @task_prerun.connect(weak=False)
    def _restore(task_id=None, task=None, **kwargs):
        request_id = task.request.get("request_id") if task is not None else None
        tokens[task_id] = current.set(request_id or f"job-{task_id}")

    @task_postrun.connect(weak=False)
    def _clear(task_id=None, **kwargs):
        token = tokens.pop(task_id, None)
        if token is not None:
            current.reset(token)
