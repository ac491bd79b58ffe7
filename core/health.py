"""`GET /healthz`: is this process able to serve? The database and the job broker, checked live.

For a load balancer or systemd watchdog: no login, no session, no template; 200 when both
answer, 503 naming what failed. With jobs inline (the embedded default, no broker configured)
there is no broker to reach, so the broker is reported as "ok" with `"jobs": "inline"`.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is "down"; the reason goes in the answer
        logger.warning("healthz: database check failed: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url:
        return "ok"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: broker check failed: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    body = {"database": check_database(), "broker": check_broker()}
    if not settings.CELERY_BROKER_URL:
        body["jobs"] = "inline"
    failed = [name for name in ("database", "broker") if body[name] != "ok"]
    return JsonResponse(body, status=503 if failed else 200)
