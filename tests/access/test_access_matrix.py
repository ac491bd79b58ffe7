"""Every page and API operation × every demo role × an object in each place of the tree.

Generated from the URL resolver and the OpenAPI schema (tests/access/matrix.py holds the rule of
each entrance); an entrance without an entry fails `test_every_entrance_has_a_matrix_entry`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from budgets.models import BudgetChange, BudgetLine, Disbursement, SavingsEntry
from organizations.models import Organization, Region, User
from projects.models import Attachment, AuthorizationRequest, ExpertAssignment, ReviewOpinion
from projects.redundancy.models import RedundancyFlag
from tests.access.matrix import (
    API,
    DATA_OFFICERS,
    PAGES,
    PLACES_TRIED,
    PUBLIC_KINDS,
    ROLES,
    api_operations,
    page_routes,
    role_class,
    sees,
    visible_places,
)
from tests.assets.factories import DataResourceFactory, HardwareFactory, SystemFactory
from tests.projects.factories import PDF
from tests.projects.project_factories import ApprovedDemandFactory, MilestoneFactory, ProjectFactory

CHANGCHUN = "220100"


def test_every_entrance_has_a_matrix_entry():
    """A new page or API operation must say who may use it before it ships."""
    unknown_pages = sorted(set(page_routes()) - set(PAGES))
    unknown_api = sorted(api_operations() - set(API))
    assert (unknown_pages, unknown_api) == ([], [])


def test_the_matrix_names_no_entrance_that_is_gone():
    assert (sorted(set(PAGES) - set(page_routes())), sorted(set(API) - api_operations())) == ([], [])


# ------------------------------------------------------------------------ objects in each place

def places_of(user) -> dict[str, Organization]:
    """One organization per place of the tree, relative to `user`."""
    own = user.organization or Organization.objects.get(code="220000-zwj")
    orgs = Organization.objects.order_by("code")
    sibling = orgs.filter(region_id=own.region_id).exclude(pk=own.pk).first()
    city_id = own.city_id or Region.objects.get(code=CHANGCHUN).pk
    own_county = orgs.filter(level="county", city_id=city_id).exclude(pk=own.pk).exclude(region_id=own.region_id).first()
    other_city = Region.objects.filter(level="city").exclude(pk=city_id).exclude(pk=own.city_id or -1).order_by("code").first()
    other = orgs.filter(region=other_city).first()
    other_county = orgs.filter(level="county", city=other_city).first()
    found = {"own": own, "sibling": sibling, "own_county": own_county, "other_city": other, "other_county": other_county}
    assert all(found.values()) and len({o.pk for o in found.values()}) == 5, found
    return found


def build(org: Organization, uploader) -> dict:
    """A demand (with attachment and flag), a project (with milestone and hardware), a system and a
    data resource of `org`."""
    demand = ApprovedDemandFactory(org=org, status="provincial_review", title=f"矩阵需求-{org.code}")
    attachment = Attachment.objects.create(
        demand=demand, file=ContentFile(PDF, name="a.pdf"), original_name="a.pdf", content_type="application/pdf",
        size=len(PDF), uploaded_by=uploader)
    system = SystemFactory(owner_org=org, name=f"矩阵系统-{org.code}")
    flag = RedundancyFlag.objects.create(demand=demand, candidate_kind="system", candidate_id=system.pk,
                                         candidate_code=system.code, candidate_title=system.name, score=Decimal("0.7"))
    project = ProjectFactory(construction_org=org, beneficiaries=[org], name=f"矩阵项目-{org.code}")
    milestone = MilestoneFactory(project=project)
    milestone.document.save("m.pdf", ContentFile(PDF), save=True)
    hardware = HardwareFactory(system=system, name=f"矩阵硬件-{org.code}")
    project_hardware = HardwareFactory(system=None, project=project, name=f"矩阵项目硬件-{org.code}")
    resource = DataResourceFactory(owner_org=org, name=f"矩阵数据-{org.code}")
    line = BudgetLine.objects.create(project=project, fiscal_year=2026, source="provincial_fiscal", category="software",
                                     amount=project.approved_budget)
    disbursement = Disbursement.objects.create(budget_line=line, amount=Decimal("1.00"), voucher_no=f"M-{org.code}", payee="某公司",
                                               date=date(2026, 1, 5))
    change = BudgetChange.objects.create(project=project, old_amount=project.approved_budget, new_amount=Decimal("2.00"),
                                         reason="矩阵", proposed_by=uploader)
    change.document.save("c.pdf", ContentFile(PDF), save=True)
    saving = SavingsEntry.objects.create(demand=demand, decision="merge", org=org, year=2026, requested=Decimal("1.00"),
                                         amount=Decimal("1.00"))
    # The review of the demand: an opinion, an expert's assignment (with its signed file), a sharing request
    # to the owner of a resource of the public security department (whose data officer is data_gat: it is
    # not asked about this one, the resource's owner is another department's).
    opinion = ReviewOpinion.objects.create(demand=demand, author=uploader, recommendation="approve",
                                           recommended_budget=demand.budget_total)
    expert = expert_for(org)
    assignment = ExpertAssignment.objects.create(demand=demand, expert=expert, assigned_by=uploader,
                                                 deadline=timezone.now() + timedelta(days=5))
    assignment.signed_file.save("o.pdf", ContentFile(PDF), save=False)
    ExpertAssignment.objects.filter(pk=assignment.pk).update(signed_file=assignment.signed_file.name, signed_file_name="o.pdf")
    authorization = AuthorizationRequest.objects.create(demand=demand, resource=resource, owner_org=org,
                                                        system_name=demand.title)
    return {"demand": demand, "attachment": attachment, "flag": flag, "project": project, "milestone": milestone,
            "hardware": hardware, "project_hardware": project_hardware, "system": system, "data_resource": resource,
            "budget_line": line, "disbursement": disbursement, "budget_change": change, "saving": saving,
            "opinion": opinion, "assignment": assignment, "authorization": authorization}


def expert_for(org) -> User:
    """An expert of the pool (not a matrix role) who sits on the panel of `org`'s demand."""
    user, _ = User.objects.get_or_create(username=f"matrix_expert_{org.code}", defaults={"role": "expert"})
    return user


def url_kwargs(kind, objs, fixed) -> dict:
    if kind in (None,):
        return {}
    if kind == "compare":
        return {"pk": objs["demand"].pk, "kind": "system", "cid": objs["system"].pk}
    if kind == "flag":
        return {"pk": objs["demand"].pk, "flag_id": objs["flag"].pk}
    if kind in fixed:
        return fixed[kind]
    return {"pk": objs[kind].pk}


def api_path(path: str, kind, objs, fixed) -> str:
    values = {}
    if kind == "flag":
        values = {"id": objs["demand"].pk, "flag_id": objs["flag"].pk}
    elif kind in fixed:
        values = {"id": next(iter(fixed[kind].values())), "code": next(iter(fixed[kind].values()))}
    elif kind:
        values = {"id": objs[kind].pk}
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)


OBJECT_KINDS = ("notification", "report", "demand", "attachment", "flag", "compare", "project", "milestone", "hardware", "project_hardware",
                "system", "data_resource", "budget_line", "disbursement", "budget_change", "saving", "opinion", "assignment",
                "authorization")


@pytest.fixture
def world(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return users


def expected(entry, username, place) -> tuple:
    if not entry.allowed(username):
        if entry.kind and entry.kind not in PUBLIC_KINDS and place not in visible_places(username):
            return (*entry.refused, 404)  # an object the role may not see at all: not found is the better answer
        return entry.refused
    kind = {"compare": "demand", "notification": "mine", "report": "mine", "opinion": "demand", "assignment": "demand",
            "authorization": "demand"}.get(entry.kind, entry.kind)
    if entry.kind == "authorization" and username in DATA_OFFICERS:
        kind = "mine"  # a data officer: the requests to its own organization, the owner of the resource
    if entry.kind == "report" and username == "admin":
        return entry.ok  # superusers may open every report (design: "the requester and admins")
    if entry.kind in OBJECT_KINDS and not (place == "own" if kind == "mine" else sees(username, kind, place)):
        return (404,)
    return entry.ok


def _call(client, method, url, data, *, api=False):
    if api:
        return getattr(client, method)(url, data, format="json")
    return getattr(client, method)(url, data)


def places_to_try(kind, username) -> tuple:
    """The places where the rule's answer changes for this role (public objects: one place and
    another city's, whoever asks)."""
    if kind not in OBJECT_KINDS:
        return ("own",)
    if kind in PUBLIC_KINDS:
        return ("own", "other_county")
    return PLACES_TRIED[role_class(username)]


def _report_job(owner):
    from reports.models import ReportJob

    job = ReportJob.objects.create(kind="project_ledger", format="csv", params={}, params_key="matrix", requested_by=owner,
                                   status="done", progress=100, filename="matrix.csv")
    job.file.save("matrix.csv", ContentFile(b"a,b\n"), save=True)
    return job


def check_role(username, users, login, api, built, rendered) -> list:
    from core.models import Notification

    user = users[username]
    objects = {}
    for place, org in places_of(user).items():
        if org.pk not in built:
            built[org.pk] = build(org, users["sub_changchun"])
        objects[place] = dict(built[org.pk])
    someone_else = users["sub_yanji" if username != "sub_yanji" else "sub_jilin"]
    for place, objs in objects.items():  # a notification is its recipient's alone
        objs["notification"] = Notification.objects.create(recipient=user if place == "own" else someone_else, verb="matrix")
        objs["report"] = _report_job(user if place == "own" else someone_else)
    fixed = {
        "capability": {"code": "identity_auth"},
        "import_kind": {"kind": "hardware"},
        "money_import_kind": {"kind": "disbursements"},
        "export_list": {"name": "projects"},
        "organization": {"pk": user.organization_id or Organization.objects.first().pk},
        "region": {"pk": Region.objects.first().pk},
    }
    client = login(user)
    failures = []
    for name, entry in sorted(PAGES.items(), key=lambda kv: kv[1].last):
        if entry.render_once and entry.allowed(username):
            if (name, role_class(username)) in rendered:
                continue
            rendered.add((name, role_class(username)))
        for place in places_to_try(entry.kind, username) if entry.allowed(username) else ("own",):
            url = reverse(name, kwargs=url_kwargs(entry.kind, objects[place], fixed)) + (f"?{entry.query}" if entry.query else "")
            response = _call(client, entry.method, url, entry.data)
            want = expected(entry, username, place)
            if response.status_code not in want:
                failures.append((username, entry.method, name, place, response.status_code, want))
            if name == "logout":
                client = login(user)
    token_client = api.as_user(user)
    for (method, path), entry in API.items():
        for place in places_to_try(entry.kind, username) if entry.allowed(username) else ("own",):
            url = api_path(path, entry.kind, objects[place], fixed)
            response = _call(token_client, entry.method, url, entry.data, api=True)
            want = expected(entry, username, place)
            if response.status_code not in want:
                failures.append((username, method, path, place, response.status_code, want))
    return failures


@pytest.mark.django_db
def test_access_matrix(world, login, api):
    """Each role gets 404 for what it may not see and the entry's answer for the rest, from every
    entrance. One test over all roles, so that the objects of each organization are built once."""
    built, rendered = {}, set()
    failures = []
    for username in ROLES:
        failures += check_role(username, world, login, api, built, rendered)
    assert failures == [], "\n".join(map(str, failures))
