"""gunicorn's own log lines are JSON too under production (config/gunicorn.conf.py): its access
line carries the method, path, status, duration and the request id the app answered with."""

import datetime
import json
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from core.logformat import gunicorn_logconfig


def _logger():
    cfg = Config()
    cfg.set("logconfig_dict", gunicorn_logconfig("INFO"))
    cfg.set("accesslog", "-")
    return Logger(cfg)


def test_an_access_line_is_one_json_object_with_the_request_id(capsys):
    log = _logger()
    resp = SimpleNamespace(status="201 Created", sent=512, headers=[("X-Request-ID", "req-abc123"), ("Content-Type", "application/json")])
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/api/v1/demands/?x=1", "PATH_INFO": "/api/v1/demands/",
               "QUERY_STRING": "x=1", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    log.access(resp, SimpleNamespace(headers=[("USER-AGENT", "locust")]), environ, datetime.timedelta(milliseconds=87))
    line = capsys.readouterr().out.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["logger"] == "gunicorn.access"
    assert (entry["method"], entry["path"], entry["status"], entry["bytes"]) == ("POST", "/api/v1/demands/", 201, 512)
    assert entry["duration_ms"] == 87 and entry["request_id"] == "req-abc123"
    assert entry["message"] == "POST /api/v1/demands/ 201"


def test_an_error_line_is_json_with_its_traceback(capsys):
    log = _logger()
    try:
        raise RuntimeError("worker boom")
    except RuntimeError:
        log.exception("Error handling request %s", "/x")
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["logger"] == "gunicorn.error" and entry["level"] == "ERROR"
    assert entry["message"] == "Error handling request /x" and "worker boom" in entry["exc"]


def test_the_gunicorn_config_turns_json_on_unless_plain_is_asked(monkeypatch):
    import runpy
    from pathlib import Path

    conf = str(Path(__file__).resolve().parents[2] / "config" / "gunicorn.conf.py")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert runpy.run_path(conf)["logconfig_dict"]["formatters"]["access"]
    monkeypatch.setenv("LOG_FORMAT", "plain")
    assert "logconfig_dict" not in runpy.run_path(conf)
