"""A real Celery worker process, the Redis broker, and a task that completes.

Runs whenever CELERY_BROKER_URL is set (CI always sets it); skipped only without a broker,
where jobs run inline by design.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery.backends.redis import RedisBackend
from celery.result import AsyncResult, allow_join_result

from config.celery import app
from core.tasks import echo

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = pytest.mark.skipif(not BROKER, reason="CELERY_BROKER_URL is unset: jobs run inline (CI sets a Redis broker)")


@pytest.fixture
def worker():
    """A worker on a queue of its own, with Redis as the result backend, stopped afterwards."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_RESULT_BACKEND": BROKER, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    env.pop("DATABASE_URL", None)  # the echo task needs no database
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    app.conf.task_always_eager = False
    try:
        yield queue, proc
    finally:
        app.conf.task_always_eager = True
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        print(output)  # shown by pytest when the test fails


def test_worker_process_runs_a_task_through_redis(worker):
    queue, proc = worker
    token = uuid.uuid4().hex
    sent = echo.apply_async(args=[token], queue=queue, ignore_result=False)
    backend = RedisBackend(app=app, url=BROKER)
    # Eager tasks that ran earlier in this process mark it as "inside a task"; waiting here is safe.
    with allow_join_result():
        assert AsyncResult(sent.id, app=app, backend=backend).get(timeout=60) == token
    assert proc.poll() is None  # the worker is alive and answered; it did not run inline here


def test_the_request_id_of_the_web_request_reaches_the_worker(worker):
    from core.request_id import current
    from core.tasks import request_id

    queue, _proc = worker
    token = current.set("req-" + uuid.uuid4().hex[:12])
    try:
        sent = request_id.apply_async(queue=queue, ignore_result=False)
        expected = current.get()
    finally:
        current.reset(token)
    backend = RedisBackend(app=app, url=BROKER)
    with allow_join_result():
        assert AsyncResult(sent.id, app=app, backend=backend).get(timeout=60) == expected
