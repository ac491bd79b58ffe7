"""An edit of a project's details racing a transition of each of its four machines, from every edit
entrance (page, API, admin): never a lost edit, never a silent overwrite (issue 10 item 7).

Real threads with their own database connections (transactional test; of record on PostgreSQL:
`DATABASE_URL=postgres://… pytest tests/projects/test_project_edit_races.py`). Each trial loads the
edit form (its version) and a copy of the project for the transition, then lets both go at the
same instant. Whatever the order the database picks:

- an edit that answered success is in the database, and so is a transition that answered success;
- an edit that lost answered with the conflict (page: the message on the form; API: 409; admin:
  the form's error), and changed nothing;
- `start` keeps an actual start that an edit saved first (its body reads it under the row lock).
"""

import threading
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.errors import StaleEdit, TransitionConflict
from core.models import AuditLog
from core.testing import browser_form_data
from projects.delivery.services import project_transition
from projects.models import Project

from .project_factories import ProjectFactory, with_facts

TRIALS = 4
EDITED_START = date(2026, 1, 5)

# machine → (states the project starts in, the transition, the actor, the state it moves to)
MACHINES = {
    "hardware": ({}, "request", "pm", "requested"),
    "funding": ({}, "budget", "finance", "budgeted"),
    "development": ({"funding_status": "allocated"}, "start", "pm", "requirements"),
    "operations": ({"development_status": "delivered", "hardware_status": "accepted"}, "start_trial", "ops", "trial"),
}


def race(*jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = job()
        except TransitionConflict as err:
            outcomes[i] = ("conflict", err.state)
        except Exception as err:  # noqa: BLE001 - reported in the assertion
            outcomes[i] = ("error", repr(err))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def page_edit(users, project, name):
    client = Client()
    client.force_login(users["pm"])
    url = reverse("projects:project_edit", args=[project.pk])
    data = browser_form_data(client.get(url).content.decode())
    data.update({"name": [name], "actual_start": [EDITED_START.isoformat()]})

    def job():
        response = client.post(url, data)
        if response.status_code == 302:
            return ("ok",)
        assert response.status_code == 200
        assert str(StaleEdit().message) in response.content.decode(), response.content.decode()[:2000]
        return ("stale",)
    return job


def api_edit(users, project, name):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=users["pm"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = f"/api/v1/projects/{project.pk}/"
    version = client.get(url).json()["version"]

    def job():
        response = client.patch(url, {"name": name, "actual_start": EDITED_START.isoformat(), "version": version}, format="json")
        if response.status_code == 200:
            return ("ok",)
        assert response.status_code == 409, response.json()
        return ("stale",)
    return job


def admin_edit(users, project, name):
    client = Client()
    client.force_login(users["admin"])
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = browser_form_data(client.get(url).content.decode())
    data.update({"name": [name], "actual_start": [EDITED_START.isoformat()]})
    data.pop("_continue", None), data.pop("_addanother", None)

    def job():
        response = client.post(url, data)
        if response.status_code == 302:
            return ("ok",)
        assert response.status_code == 200
        assert str(StaleEdit().message) in response.content.decode()
        return ("stale",)
    return job


ENTRANCES = {"page": page_edit, "api": api_edit, "admin": admin_edit}


def transitions_logged(project) -> int:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk).count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("entrance", list(ENTRANCES))
@pytest.mark.parametrize("machine", list(MACHINES))
def test_an_edit_racing_a_transition_is_never_lost_nor_saved_over_it(users, machine, entrance, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    states, name, actor, target = MACHINES[machine]
    field = f"{machine}_status"
    seen = set()
    for trial in range(TRIALS):
        project = with_facts(ProjectFactory(name="原名称", manager=users["pm"], **states))
        if machine == "funding":  # budgeting needs a budget line
            from tests.budgets.factories import LineFactory

            LineFactory(project=project, amount=project.approved_budget)
        edit = ENTRANCES[entrance](users, project, f"改名{trial}")
        copy = Project.objects.get(pk=project.pk)  # the transition's copy, loaded with the form

        def fire(copy=copy):
            project_transition(project=copy, machine=machine, name=name, actor=users[actor])
            return ("ok",)

        edited, fired = race(edit, fire)
        assert edited[0] in ("ok", "stale"), edited
        assert fired == ("ok",), fired  # a details edit never blocks a transition
        fresh = Project.objects.get(pk=project.pk)
        assert getattr(fresh, field) == target
        assert transitions_logged(project) == 1
        if edited[0] == "ok":  # the edit went first: it is kept, and the transition did not write over it
            assert (fresh.name, fresh.actual_start) == (f"改名{trial}", EDITED_START), (machine, entrance, trial)
            # ... and it did go first: the last write is the transition's (an edit saved after it, from a
            # form loaded before it, would be a silent overwrite).
            logged_at = AuditLog.objects.get(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk).at
            assert fresh.updated_at <= logged_at, (machine, entrance, trial)
        else:  # the transition went first: the edit was refused and changed nothing
            assert fresh.name == "原名称"
            assert fresh.actual_start != EDITED_START
        seen.add(edited[0])
    assert seen  # at least one outcome per entrance and machine (which one is the database's choice)
