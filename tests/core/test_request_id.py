"""Request ids: answered in a header, on every log line, and JSON log lines that parse."""

import json
import logging

import pytest

from core.logformat import JsonFormatter
from core.request_id import RequestIdFilter, current

pytestmark = pytest.mark.django_db


def test_every_answer_carries_a_fresh_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_proxys_id_is_kept_when_sane_and_replaced_when_not(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a9c1e")["X-Request-ID"] == "nginx-4f2a9c1e"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"]
    assert "<" not in replaced and len(replaced) == 32


def test_log_lines_inside_a_request_carry_its_id(client, caplog):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="core.health"):
        from django.test import override_settings

        with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
            response = client.get("/healthz", HTTP_X_REQUEST_ID="trace-0000beef")
    assert response.status_code == 503
    assert [r.request_id for r in caplog.records if r.name == "core.health"] == ["trace-0000beef"]
    assert current.get() == "-"  # reset after the request


def test_json_formatter_writes_one_parseable_object_with_the_id_and_extras():
    record = logging.makeLogRecord({"name": "budgets", "levelname": "ERROR", "levelno": 40, "msg": "付款失败 %s",
                                    "args": ("V-1",), "voucher": "V-1", "obj": object()})
    RequestIdFilter().filter(record)
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert len(line.splitlines()) == 1  # the traceback stays inside the one line
    entry = json.loads(line)
    assert entry["message"] == "付款失败 V-1"
    assert entry["level"] == "ERROR" and entry["logger"] == "budgets" and entry["request_id"] == "-"
    assert entry["voucher"] == "V-1" and entry["obj"].startswith("<object")
    assert "ValueError: boom" in entry["exc"]
