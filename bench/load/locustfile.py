"""Load of a working day (issue: production shape): 20 people at once, for `make load`.

A mix of what the users of journeys.md do all day, against a server with `seed_demo --scale 100`:
reviewers and coordinators paging through their queues and opening demands, bureaus running the
live similar-systems check while they type and submitting demands, programs reading the API.
Every request names what it is (`name=`), so the figures come out per kind of page.

Loopback only: `make load` refuses any other host.
"""

from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

PASSWORD = "demo-pass-2026"
REVIEWERS = ["prov_reviewer", "prov_approver", "coord_changchun", "coord_jilin"]
BUREAUS = ["sub_changchun", "sub_jilin", "sub_siping", "sub_yanji", "sub_province"]
TITLES = ["智慧停车管理平台", "统一身份认证平台", "智慧供水监测系统", "不动产登记网上办理系统", "12345热线工单系统",
          "校园安全视频联网平台", "电子证照共享服务", "农村集体资产管理平台"]
_ID = re.compile(r'href="/demands/(\d+)/"')


def _login(client, username: str) -> None:
    client.get("/accounts/login/", name="login page")
    token = client.cookies.get("csrftoken", "")
    client.post("/accounts/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": client.base_url + "/accounts/login/"}, name="login", allow_redirects=False)


class Reviewer(HttpUser):
    """A reviewer or coordinator with a queue: the queue, a page of it, a demand, its similar systems."""

    weight = 2
    wait_time = between(0.5, 2)

    def on_start(self):
        _login(self.client, random.choice(REVIEWERS))
        self.seen: list[str] = []

    @task(4)
    def queue(self):
        with self.client.get("/demands/review/", name="review queue", catch_response=True) as r:
            if r.status_code == 200:
                self.seen = _ID.findall(r.text)[:20] or self.seen
                r.success()

    @task(2)
    def all_demands_page(self):
        self.client.get(f"/demands/?page={random.randint(1, 3)}", name="all demands (a page)")

    @task(4)
    def demand(self):
        if self.seen:
            self.client.get(f"/demands/{random.choice(self.seen)}/", name="demand page")

    @task(1)
    def search(self):
        self.client.get(f"/demands/?search={random.choice(TITLES)[:4]}", name="demands search")


class Bureau(HttpUser):
    """A bureau clerk: the live check while typing a title, then a new demand submitted through the API."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        r = self.client.post("/api/v1/auth/token/", json={"username": random.choice(BUREAUS), "password": PASSWORD},
                             name="api token")
        self.headers = {"Authorization": f"Token {r.json().get('token', '')}"} if r.status_code == 200 else {}

    @task(5)
    def live_check(self):
        title = random.choice(TITLES)
        self.client.post("/api/v1/redundancy/check/", json={"title": title, "description": "", "capabilities": []},
                         headers=self.headers, name="live redundancy check")

    @task(1)
    def submit_demand(self):
        title = random.choice(TITLES)
        body = {"title": f"{title}（压测）", "description": f"建设{title}，实现业务在线办理和数据共享，服务全市群众和企业。",
                "domain": "public_services", "construction_type": "new", "capabilities": ["online_service"],
                "budget_hardware": "100000.00", "budget_software": "400000.00", "budget_services": "50000.00",
                "budget_operations": "50000.00"}
        r = self.client.post("/api/v1/demands/", json=body, headers=self.headers, name="create demand (API)")
        if r.status_code == 201:
            self.client.post(f"/api/v1/demands/{r.json()['id']}/transition/", json={"name": "submit"},
                             headers=self.headers, name="submit demand (API)")

    @task(2)
    def my_demands(self):
        self.client.get("/api/v1/demands/", headers=self.headers, name="API demands list")


class Program(HttpUser):
    """An outside program reading the API (the province's data platform)."""

    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        r = self.client.post("/api/v1/auth/token/", json={"username": "auditor", "password": PASSWORD}, name="api token")
        self.headers = {"Authorization": f"Token {r.json().get('token', '')}"} if r.status_code == 200 else {}
        first = self.client.get("/api/v1/demands/", headers=self.headers, name="API demands (a page)")
        body = first.json() if first.status_code == 200 else {}
        per_page = max(1, len(body.get("results", [])))
        self.pages = max(1, -(-int(body.get("count", 0)) // per_page))  # pages that exist

    @task(3)
    def demands(self):
        self.client.get(f"/api/v1/demands/?page={random.randint(1, self.pages)}", headers=self.headers,
                        name="API demands (a page)")

    @task(1)
    def projects(self):
        self.client.get("/api/v1/projects/", headers=self.headers, name="API projects list")

    @task(1)
    def systems(self):
        self.client.get("/api/v1/systems/", headers=self.headers, name="API systems list")
