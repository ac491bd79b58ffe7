"""A previewed import is confirmed once, however many confirms arrive at the same time."""

import io
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from assets.models import InformationSystem

from .test_import_export import HEADERS, csv_bytes, system_row


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def preview_token(client, rows) -> str:
    upload = io.BytesIO(csv_bytes(HEADERS, rows))
    upload.name = "养老.csv"
    response = client.post(reverse("assets:import", args=["systems"]), {"file": upload})
    assert response.context["report"].new == len(rows)
    return response.context["token"]


ROWS = [system_row(name=f"吉林市社区养老平台{i}", owner="吉林市民政局", caps="mobile_app") for i in range(5)]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirms_import_the_rows_once(users):
    user = users["sub_jilin"]
    first = Client()
    first.force_login(user)
    token = preview_token(first, ROWS)
    barrier = threading.Barrier(2)
    answers, lock = [], threading.Lock()

    def confirm():
        client = Client()
        # The same browser session (two tabs, a double click); messages come back to each client.
        client.cookies[settings.SESSION_COOKIE_NAME] = first.cookies[settings.SESSION_COOKIE_NAME].value
        try:
            barrier.wait(timeout=10)
            response = client.post(reverse("assets:import_confirm", args=["systems"]), {"token": token}, follow=True)
            answer = (response.status_code, response.redirect_chain[-1][0])
        except Exception as exc:  # noqa: BLE001 — reported by the assertion
            answer = (type(exc).__name__, [str(exc)])
        finally:
            connections.close_all()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert InformationSystem.objects.count() == 5
    # One lands on the list (imported), the other back on the import page ("already done"; the
    # message itself is checked below: two requests of one session share its message store).
    assert sorted(answers) == [(200, reverse("assets:system_list")), (200, reverse("assets:import", args=["systems"]))]


@pytest.mark.django_db
def test_second_confirm_says_already_done_with_a_link_to_the_result(login, users):
    client = login(users["sub_jilin"])
    token = preview_token(client, ROWS[:2])
    url = reverse("assets:import_confirm", args=["systems"])
    assert client.post(url, {"token": token}).status_code == 302
    response = client.post(url, {"token": token}, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert "该导入已经完成" in html
    assert f'href="{reverse("assets:system_list")}" data-testid="import-result"' in html
    assert InformationSystem.objects.count() == 2
