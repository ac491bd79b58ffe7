"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Each worker builds its redundancy index in a background thread as soon as it starts, so that
the first check a bureau makes does not wait for a build (about 30 s at 100,000 candidates).
"""

import os
import threading

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"


def post_worker_init(worker):
    def warm():
        from projects.redundancy.index import get_index

        try:
            get_index()
        except Exception:  # the index is rebuilt on first use anyway; never kill the worker for it
            worker.log.exception("redundancy index warm-up failed")

    threading.Thread(target=warm, name="redundancy-index-warm-up", daemon=True).start()
