"""Demo organizations and users (contract: seed_demo's users with their roles and places)."""

from django.contrib.auth import get_user_model

from .choices import Role
from .models import Organization
from .services import ensure_bureaus

# username → (role, organization code, display name). Codes follow `<region code>-<bureau key>`.
DEMO_USERS = {
    "prov_reviewer": (Role.PROVINCIAL_REVIEWER, "220000-zwj", "张工 (省审核处)"),
    "prov_approver": (Role.PROVINCIAL_APPROVER, "220000-zwj", "李主任 (省领导)"),
    "pm": (Role.PROJECT_MANAGER, "220000-zwj", "陈经理 (省建设专班)"),
    "finance": (Role.FINANCE_OFFICER, "220000-czt", "赵会计 (财务)"),
    "ops": (Role.OPERATIONS_OFFICER, "220000-zwj", "孙工 (运维)"),
    "auditor": (Role.AUDITOR, "220000-sjt", "周审计 (审计)"),
    "coord_changchun": (Role.MUNICIPAL_COORDINATOR, "220100-zwj", "王处长 (长春市政数局)"),
    "coord_jilin": (Role.MUNICIPAL_COORDINATOR, "220200-zwj", "吴处长 (吉林市政数局)"),
    "sub_changchun": (Role.SUBMITTER, "220100-jyj", "刘科长 (长春市教育局)"),
    "sub_jilin": (Role.SUBMITTER, "220200-mzj", "郑科长 (吉林市民政局)"),
    "sub_yanji": (Role.SUBMITTER, "222401-jyj", "金科长 (延吉市教育局)"),
    "sub_province": (Role.SUBMITTER, "220000-jyt", "高处长 (省教育厅)"),
    "sub_siping": (Role.SUBMITTER, "220300-swj", "何科长 (四平市水务局)"),
    "coord_siping": (Role.MUNICIPAL_COORDINATOR, "220300-zwj", "冯处长 (四平市政数局)"),
    "coord_yanbian": (Role.MUNICIPAL_COORDINATOR, "222400-zwj", "崔处长 (延边州政数局)"),
    # Members of the provincial expert pool (their fields are seeded with the demands' review data).
    "expert_wang": (Role.EXPERT, "220000-kjt", "王教授 (省专家库)"),
    "expert_li": (Role.EXPERT, "220000-gxt", "李研究员 (省专家库)"),
    "expert_zhao": (Role.EXPERT, "220000-fgw", "赵高工 (省专家库)"),
    # Data officers of data-owning departments: they grant or refuse authorized sharing.
    "data_gat": (Role.DATA_OFFICER, "220000-gat", "孙科长 (省公安厅数据管理)"),
    "data_scjg": (Role.DATA_OFFICER, "220000-scjg", "钱科长 (省市场监管厅数据管理)"),
    "data_zrzyt": (Role.DATA_OFFICER, "220000-zrzyt", "林科长 (省自然资源厅数据管理)"),
}


def ensure_demo_users(password: str) -> dict:
    """Create (or repair) the demo users; the password is set only when a user is created."""
    ensure_bureaus()
    User = get_user_model()
    orgs = {o.code: o for o in Organization.objects.filter(code__in={v[1] for v in DEMO_USERS.values()})}
    users = {}
    for username, (role, org_code, display) in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(password)
        user.role, user.organization, user.display_name = role, orgs[org_code], display
        user.save()
        users[username] = user
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_superuser("admin", "admin@example.invalid", password, display_name="系统管理员")
    users["admin"] = admin
    return users


def demo_user_summary() -> list[str]:
    """One line per demo user, the administrator first: username, role, organization."""
    from django.utils.translation import gettext

    User = get_user_model()
    names = ["admin", *DEMO_USERS]
    found = {u.username: u for u in User.objects.filter(username__in=names).select_related("organization")}
    rows = []
    for name in names:
        user = found.get(name)
        if user is None:
            continue
        role = user.get_role_display() or (gettext("Administrator") if user.is_superuser else "")
        rows.append((name, str(role), str(user.organization or "")))
    width = max((len(r[0]) for r in rows), default=0)
    return [f"  {name.ljust(width)}  {role} · {org}" if org else f"  {name.ljust(width)}  {role}" for name, role, org in rows]


def run(ctx) -> str:
    """Seed step: bureaus in every region and the demo users."""
    ctx.users = ensure_demo_users(ctx.password)
    return f"{Organization.objects.count()} organizations, {len(ctx.users)} demo users"
