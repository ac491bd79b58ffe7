"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

The redundancy index (about 30 s to build at 100,000 candidates) is loaded ONCE, in the master,
from the snapshot the Celery workers write (projects/redundancy/snapshot.py), before the web
workers fork (`preload_app`): the workers share its memory copy-on-write and each catches up
from the change feed on its first search. Without a usable snapshot each worker builds its own
in a background thread as soon as it starts, so the first check a bureau makes does not wait.
"""

import gc
import os
import sys
import threading
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Idle keep-alive connections are kept this long. gunicorn's default (2 s) is shorter than the
# pause between two clicks: a client reusing a connection the server is closing at that moment
# gets "connection reset" (seen under `make load`). nginx's upstream keep-alive (deploy/) is shorter.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))
accesslog = "-"
preload_app = True
# gunicorn's own lines in the same JSON as the app's (LOG_FORMAT=json, production's default).
if os.environ.get("LOG_FORMAT", "json") == "json":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, before gunicorn adds it
    from core.logformat import gunicorn_logconfig

    logconfig_dict = gunicorn_logconfig(os.environ.get("LOG_LEVEL", "INFO"))


def when_ready(server):
    """In the master, after the app is loaded, before any worker forks."""
    from django.db import connections

    from projects.redundancy.index import start_from_snapshot

    try:
        server.log.info("redundancy index from snapshot: %s", "loaded" if start_from_snapshot() else "none usable")
    except Exception:  # the workers build their own then; never keep the site down for it
        server.log.exception("redundancy index snapshot could not be loaded")
    connections.close_all()  # a connection must never be shared by forked processes
    gc.freeze()  # objects loaded so far stay out of the collector's scans: their pages stay shared


def post_fork(server, worker):
    from django.db import connections

    connections.close_all()


def post_worker_init(worker):
    def warm():
        from projects.redundancy.index import get_index

        try:
            get_index()
        except Exception:  # the index is rebuilt on first use anyway; never kill the worker for it
            worker.log.exception("redundancy index warm-up failed")

    threading.Thread(target=warm, name="redundancy-index-warm-up", daemon=True).start()
