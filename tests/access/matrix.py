"""The access matrix: every entrance of the site (URL resolver) and of the API (OpenAPI schema),
what object it needs and what each role must get, by the place of the object in the tree.

The places of an object, relative to the user who asks:
  own          the user's own organization
  sibling      another bureau of the same region (same city, or another provincial department)
  own_county   a county bureau under the user's city
  other_city   a bureau of another city
  other_county a county bureau under another city

Who sees what (design.md, written here by hand, not taken from the code under test): province-wide
roles and superusers every place; a municipal coordinator its city and counties; a submitter its
own organization only. Objects of the public catalogue (systems, data resources) everyone signed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

PLACES = ("own", "sibling", "own_county", "other_city", "other_county")
PROVINCE_WIDE = {"admin", "prov_reviewer", "prov_approver", "pm", "finance", "ops", "auditor"}
COORDINATORS = {"coord_changchun", "coord_jilin", "coord_siping", "coord_yanbian"}
SUBMITTERS = {"sub_changchun", "sub_jilin", "sub_yanji", "sub_province", "sub_siping"}
# An expert sees only the demands assigned to it (none in the matrix); a data officer only the sharing
# requests for its organization's resources (none in the matrix): neither sees a demand of any place.
EXPERTS = {"expert_wang"}
DATA_OFFICERS = {"data_gat"}
ROLES = sorted(PROVINCE_WIDE | COORDINATORS | SUBMITTERS | EXPERTS | DATA_OFFICERS)
PUBLIC_KINDS = {"system", "data_resource"}

SKIPPED_PREFIXES = ("admin/", "i18n/", "static/", "api/schema/", "api/docs/", "__debug__/")


def visible_places(username: str) -> set[str]:
    if username in EXPERTS | DATA_OFFICERS:
        return set()
    if username in PROVINCE_WIDE:
        return set(PLACES)
    if username in COORDINATORS:
        return {"own", "sibling", "own_county"}
    return {"own"}


def role_class(username: str) -> str:
    if username in EXPERTS | DATA_OFFICERS:
        return "outsider"
    return "province" if username in PROVINCE_WIDE else "coordinator" if username in COORDINATORS else "submitter"


# The places where each kind of role's answer changes (every place is built; these are asked).
PLACES_TRIED = {
    "province": ("own", "other_county"),
    "coordinator": ("own", "sibling", "own_county", "other_city", "other_county"),
    "submitter": ("own", "sibling", "other_county"),
    "outsider": ("own", "other_county"),
}


def sees(username: str, kind: str | None, place: str) -> bool:
    return kind in PUBLIC_KINDS or place in visible_places(username)


# ------------------------------------------------------------------------ who may use a role-gated page

def anyone(username):
    return True


def among(*names):
    names = set().union(*[n if isinstance(n, set) else {n} for n in names])
    return lambda username: username in names


REVIEW_QUEUE = COORDINATORS | {"prov_reviewer", "prov_approver", "admin"}
SHARING_REQUESTS = DATA_OFFICERS | {"prov_reviewer", "prov_approver", "auditor", "admin"}
ALL_DEMANDS = COORDINATORS | {"prov_reviewer", "prov_approver", "auditor", "pm", "finance", "admin"}
CATALOGUE_EDITORS = SUBMITTERS | COORDINATORS | {"prov_reviewer", "prov_approver", "pm", "ops", "admin"}
FINANCE = {"finance", "admin"}  # the queue, the imports, lines and disbursements entered on a page
FINANCE_READERS = {"finance", "prov_approver", "prov_reviewer", "auditor", "admin"}  # overview, savings, exports
BUDGET_CHANGE_READERS = FINANCE_READERS | {"pm"}
DASHBOARD = {"prov_reviewer", "prov_approver", "finance", "auditor", "admin"}


@dataclass
class Entry:
    """How to reach one entrance and what a role must get.

    kind: the object the URL names (None: no object). ok: the codes a role that may see the object
    (or the page) gets; refused: the code for a role-gated page that refuses this role.
    """

    kind: str | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)
    ok: tuple = (200,)
    allowed: object = anyone
    refused: tuple = (403,)
    query: str = ""
    last: bool = False  # destructive (a delete): run after the other entrances on the same object
    render_once: bool = False  # a slow form not tied to the tree: rendered by one role of each kind


# Pages, by URL name. Object kwargs come from `url_kwargs` in the test.
PAGES: dict[str, Entry] = {
    "home": Entry(),
    "healthz": Entry(),  # no login needed; a signed-in user gets the same answer
    "favicon": Entry(ok=(301,)),  # no login needed: leads to the static icon
    "login": Entry(ok=(302,)),  # a signed-in user is sent on
    "logout": Entry(method="post", ok=(302, 200), last=True),
    "core:audit_log": Entry(allowed=among("auditor", "admin")),
    "core:notifications": Entry(),
    "core:notifications_read_all": Entry(method="post", ok=(302,)),
    "core:notification_read": Entry(kind="notification", method="post", ok=(302,)),
    "projects:demand_list": Entry(allowed=among(SUBMITTERS), refused=(302,)),  # others go to all demands
    "projects:demand_all": Entry(),
    "projects:demand_create": Entry(allowed=among(SUBMITTERS)),
    "projects:review_queue": Entry(allowed=among(REVIEW_QUEUE)),
    "projects:demand_detail": Entry(kind="demand"),
    "projects:demand_edit": Entry(kind="demand", ok=(302, 200)),
    "projects:demand_transition": Entry(kind="demand", method="post", ok=(302,)),
    "projects:attachment_download": Entry(kind="attachment"),
    "projects:attachment_delete": Entry(kind="attachment", method="post", ok=(302, 403), last=True),
    "projects:opinion_record": Entry(kind="demand", method="post", ok=(302,)),  # refused ones: a message, back to the page
    "projects:panel_assign": Entry(kind="demand", method="post", ok=(302,)),
    "projects:expert_assignments": Entry(allowed=among(EXPERTS)),
    "projects:assignment_submit": Entry(kind="assignment", method="post", ok=(302,)),
    "projects:assignment_decline": Entry(kind="assignment", method="post", ok=(302,)),
    "projects:assignment_replace": Entry(kind="assignment", method="post", ok=(302,)),
    "projects:assignment_file": Entry(kind="assignment"),
    "projects:authorization_list": Entry(allowed=among(SHARING_REQUESTS)),
    "projects:authorization_decide": Entry(kind="authorization", method="post", ok=(302,)),
    "projects:redundancy_live": Entry(method="post", data={"title": "统一身份认证"}),
    "projects:clusters": Entry(allowed=among(COORDINATORS, "prov_reviewer", "prov_approver", "auditor", "admin")),
    "projects:clusters_recompute": Entry(method="post", ok=(302,), allowed=among("prov_reviewer", "prov_approver", "admin"),
                                         refused=(404,)),
    "projects:cluster_run_status": Entry(allowed=among(COORDINATORS, "prov_reviewer", "prov_approver", "auditor", "admin")),
    "projects:cluster_decide": Entry(method="post", ok=(302,), allowed=among("prov_reviewer", "admin"), refused=(404,)),
    "projects:redundancy_decisions": Entry(allowed=among("prov_reviewer", "prov_approver", "auditor", "admin")),
    "projects:threshold_apply": Entry(method="post", ok=(302,), allowed=among("prov_reviewer", "prov_approver", "admin"),
                                      refused=(404,)),
    "projects:demand_similar": Entry(kind="demand"),
    "projects:redundancy_compare": Entry(kind="compare"),
    "projects:redundancy_decide": Entry(kind="compare", method="post", ok=(302, 403)),
    "projects:flag_dismiss": Entry(kind="flag", method="post", ok=(302, 403)),
    "projects:project_list": Entry(),
    "projects:portfolio": Entry(),
    "projects:project_detail": Entry(kind="project"),
    "projects:project_transition": Entry(kind="project", method="post", ok=(302,)),
    "projects:project_edit": Entry(kind="project", ok=(200, 404)),  # a reader has nothing to edit: 404
    "projects:milestone_add": Entry(kind="project", ok=(200, 404)),
    "projects:project_attach_demand": Entry(kind="project", method="post", ok=(302,)),
    "projects:milestone_edit": Entry(kind="milestone", ok=(200, 404)),
    "projects:milestone_document": Entry(kind="milestone"),
    # The project manager enters the hardware lane's facts; everyone else who sees the project: 404.
    "projects:project_hardware_add": Entry(kind="project", method="post", ok=(302, 404),
                                           data={"name": "云主机", "kind": "cloud_vm", "quantity": "1", "unit_cost": "1万"}),
    "projects:project_hardware_delivered": Entry(kind="project_hardware", method="post", ok=(302, 404)),
    "assets:system_list": Entry(),
    "assets:system_create": Entry(allowed=among(CATALOGUE_EDITORS), render_once=True),
    "assets:system_detail": Entry(kind="system"),
    "assets:system_edit": Entry(kind="system", ok=(200, 403), render_once=True),
    "assets:capability_list": Entry(),
    "assets:capability_detail": Entry(kind="capability"),
    "assets:data_resource_list": Entry(),
    "assets:data_resource_create": Entry(allowed=among(CATALOGUE_EDITORS), render_once=True),
    "assets:data_resource_detail": Entry(kind="data_resource"),
    "assets:data_resource_edit": Entry(kind="data_resource", ok=(200, 403), render_once=True),
    "assets:hardware_list": Entry(),
    "assets:hardware_create": Entry(allowed=among(CATALOGUE_EDITORS), render_once=True),
    "assets:hardware_edit": Entry(kind="hardware", ok=(200, 403)),
    "assets:import": Entry(kind="import_kind", allowed=among(CATALOGUE_EDITORS)),
    "assets:import_confirm": Entry(kind="import_kind", method="post", ok=(200, 302, 400), allowed=among(CATALOGUE_EDITORS)),
    "assets:export": Entry(kind="import_kind"),
    "assets:import_template": Entry(kind="import_kind"),
    "budgets:overview": Entry(allowed=among(FINANCE_READERS)),
    "budgets:queue": Entry(allowed=among(FINANCE)),
    "budgets:disbursement_transition": Entry(kind="disbursement", method="post", ok=(302,)),
    "budgets:budget_changes": Entry(allowed=among(BUDGET_CHANGE_READERS)),
    "budgets:budget_change_decide": Entry(kind="budget_change", method="post", ok=(302,)),
    "budgets:budget_change_document": Entry(kind="budget_change"),
    "budgets:savings": Entry(allowed=among(FINANCE_READERS)),
    "budgets:project_money": Entry(kind="project"),
    "budgets:line_add": Entry(kind="project", method="post", ok=(302, 403), allowed=among("finance", "pm")),
    "budgets:line_edit": Entry(kind="budget_line", method="post", ok=(302, 403), allowed=among("finance", "pm")),
    "budgets:line_delete": Entry(kind="budget_line", method="post", ok=(302, 403), allowed=among("finance", "pm")),
    "budgets:disbursement_add": Entry(kind="project", method="post", ok=(302,), allowed=among(FINANCE)),
    "budgets:partial_allocation": Entry(kind="project", method="post", ok=(302,), allowed=among(FINANCE)),
    # the project's manager or its construction team's project managers, and finance; others 403
    "budgets:budget_change_propose": Entry(kind="project", method="post", ok=(302, 403), allowed=among("finance", "pm")),
    "budgets:import": Entry(kind="money_import_kind", allowed=among(FINANCE)),
    "budgets:import_confirm": Entry(kind="money_import_kind", method="post", ok=(302,), allowed=among(FINANCE)),
    "budgets:import_template": Entry(kind="money_import_kind", allowed=among(FINANCE)),
    "budgets:export": Entry(kind="money_import_kind", allowed=among(FINANCE_READERS)),
    # Reports: a job is its requester's alone ("mine", like a notification); exports hold what the list shows.
    "reports:index": Entry(),
    "reports:job": Entry(kind="report"),
    "reports:job_status": Entry(kind="report"),
    "reports:download": Entry(kind="report"),
    "reports:export": Entry(kind="export_list"),
    "reports:dashboard": Entry(allowed=among(DASHBOARD)),
}

# API operations, by (method, path as the schema writes it).
API: dict[tuple[str, str], Entry] = {
    ("POST", "/api/v1/auth/token/"): Entry(method="post", ok=(400,)),
    ("GET", "/api/v1/me/"): Entry(),
    ("GET", "/api/v1/organizations/"): Entry(),
    ("GET", "/api/v1/organizations/{id}/"): Entry(kind="organization"),
    ("GET", "/api/v1/regions/"): Entry(),
    ("GET", "/api/v1/regions/{id}/"): Entry(kind="region"),
    ("GET", "/api/v1/capabilities/"): Entry(),
    ("GET", "/api/v1/capabilities/{code}/"): Entry(kind="capability"),
    ("GET", "/api/v1/systems/"): Entry(),
    ("POST", "/api/v1/systems/"): Entry(method="post", ok=(400,), allowed=among(CATALOGUE_EDITORS)),
    ("GET", "/api/v1/systems/{id}/"): Entry(kind="system"),
    ("PATCH", "/api/v1/systems/{id}/"): Entry(kind="system", method="patch", ok=(200, 403)),
    ("GET", "/api/v1/data-resources/"): Entry(),
    ("POST", "/api/v1/data-resources/"): Entry(method="post", ok=(400,), allowed=among(CATALOGUE_EDITORS)),
    ("GET", "/api/v1/data-resources/{id}/"): Entry(kind="data_resource"),
    ("PATCH", "/api/v1/data-resources/{id}/"): Entry(kind="data_resource", method="patch", ok=(200, 403)),
    ("GET", "/api/v1/hardware/"): Entry(),
    ("POST", "/api/v1/hardware/"): Entry(method="post", ok=(400,), allowed=among(CATALOGUE_EDITORS)),
    ("GET", "/api/v1/hardware/{id}/"): Entry(kind="hardware"),
    ("PATCH", "/api/v1/hardware/{id}/"): Entry(kind="hardware", method="patch", ok=(200, 403)),
    ("GET", "/api/v1/demands/"): Entry(),
    ("POST", "/api/v1/demands/"): Entry(method="post", ok=(201,), allowed=among(SUBMITTERS)),  # a draft may be empty
    ("GET", "/api/v1/demands/{id}/"): Entry(kind="demand"),
    ("PATCH", "/api/v1/demands/{id}/"): Entry(kind="demand", method="patch", ok=(200, 403, 409)),
    ("GET", "/api/v1/demands/{id}/history/"): Entry(kind="demand"),
    ("POST", "/api/v1/demands/{id}/transition/"): Entry(kind="demand", method="post", ok=(400, 403, 409)),
    ("GET", "/api/v1/demands/{id}/similar/"): Entry(kind="demand"),
    ("POST", "/api/v1/demands/{id}/flags/{flag_id}/resolve/"): Entry(kind="flag", method="post", ok=(400, 403, 409)),
    ("POST", "/api/v1/redundancy/check/"): Entry(method="post", ok=(400,)),
    ("GET", "/api/v1/redundancy/clusters/"): Entry(),
    ("POST", "/api/v1/redundancy/clusters/"): Entry(method="post", ok=(200, 201, 202),
                                                    allowed=among("prov_reviewer", "prov_approver", "admin")),
    ("GET", "/api/v1/redundancy/cluster-decisions/"): Entry(),
    ("POST", "/api/v1/redundancy/cluster-decisions/"): Entry(method="post", ok=(400,), allowed=among("prov_reviewer", "admin")),
    ("GET", "/api/v1/redundancy/decisions/"): Entry(allowed=among("prov_reviewer", "prov_approver", "auditor", "admin")),
    ("GET", "/api/v1/review-opinions/"): Entry(),
    ("POST", "/api/v1/review-opinions/"): Entry(method="post", ok=(400,)),
    ("GET", "/api/v1/review-opinions/{id}/"): Entry(kind="opinion"),
    ("GET", "/api/v1/expert-assignments/"): Entry(),
    ("POST", "/api/v1/expert-assignments/"): Entry(method="post", ok=(400,)),
    ("GET", "/api/v1/expert-assignments/{id}/"): Entry(kind="assignment"),
    ("POST", "/api/v1/expert-assignments/{id}/transition/"): Entry(kind="assignment", method="post", ok=(400,)),
    ("GET", "/api/v1/authorizations/"): Entry(),
    ("GET", "/api/v1/authorizations/{id}/"): Entry(kind="authorization"),
    ("POST", "/api/v1/authorizations/{id}/transition/"): Entry(kind="authorization", method="post", ok=(400,)),
    ("GET", "/api/v1/projects/"): Entry(),
    ("GET", "/api/v1/projects/{id}/"): Entry(kind="project"),
    ("POST", "/api/v1/projects/{id}/transition/"): Entry(kind="project", method="post", ok=(400, 403, 409)),
    ("PATCH", "/api/v1/projects/{id}/"): Entry(kind="project", method="patch", ok=(400, 403, 409)),
    ("GET", "/api/v1/budget-lines/"): Entry(),
    ("POST", "/api/v1/budget-lines/"): Entry(method="post", ok=(400,)),  # an empty body is refused before anything else
    ("GET", "/api/v1/budget-lines/{id}/"): Entry(kind="budget_line"),
    ("GET", "/api/v1/disbursements/"): Entry(),
    ("POST", "/api/v1/disbursements/"): Entry(method="post", ok=(400,)),
    ("GET", "/api/v1/disbursements/{id}/"): Entry(kind="disbursement"),
    ("POST", "/api/v1/disbursements/{id}/transition/"): Entry(kind="disbursement", method="post", ok=(400, 403, 409)),
    ("GET", "/api/v1/budget-changes/"): Entry(),
    ("POST", "/api/v1/budget-changes/"): Entry(method="post", ok=(400,)),
    ("GET", "/api/v1/budget-changes/{id}/"): Entry(kind="budget_change"),
    ("POST", "/api/v1/budget-changes/{id}/transition/"): Entry(kind="budget_change", method="post", ok=(400, 403, 409)),
    ("GET", "/api/v1/savings/"): Entry(),
    ("GET", "/api/v1/savings/{id}/"): Entry(kind="saving"),
    ("POST", "/api/v1/reports/"): Entry(method="post", ok=(400,)),  # no kind: 400 whoever asks
    ("GET", "/api/v1/reports/{id}/"): Entry(kind="report"),
}


# ------------------------------------------------------------------------ the entrances that exist

def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, view name) of every URL pattern, nested resolvers walked."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), namespace + (p.name or "")


def page_routes() -> dict[str, str]:
    """View name → route of every page (the API is enumerated from its schema instead)."""
    return {name: route for route, name in url_patterns()
            if not route.startswith(SKIPPED_PREFIXES) and not route.startswith("api/")}


def api_routes() -> set[str]:
    return {route for route, _ in url_patterns() if route.startswith("api/v1/")}


def api_operations() -> set[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops
            if method.lower() in ("get", "post", "put", "patch", "delete")}
