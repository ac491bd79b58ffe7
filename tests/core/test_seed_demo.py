"""seed_demo: the contract's users, a province-sized tree, and a second run that changes nothing."""

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_seed_twice_changes_nothing_and_users_can_log_in(users):
    call_command("seed_demo", "--password", "seed-pass-2026", verbosity=0)
    first = counts()
    call_command("seed_demo", "--password", "seed-pass-2026", verbosity=0)
    assert counts() == first
    # Users created by the fixture keep their password; the seed never resets one.
    from tests.conftest import DEMO_PASSWORD

    assert authenticate(RequestFactory().post("/accounts/login/"), username="sub_yanji", password=DEMO_PASSWORD) is not None


def test_seed_creates_contract_users_with_roles_and_places(db):
    from organizations.models import Organization, User

    call_command("seed_demo", "--password", "seed-pass-2026", "--only", "organizations", verbosity=0)
    expected = {
        "prov_reviewer": ("provincial_reviewer", "province"),
        "prov_approver": ("provincial_approver", "province"),
        "pm": ("project_manager", "province"),
        "finance": ("finance_officer", "province"),
        "ops": ("operations_officer", "province"),
        "auditor": ("auditor", "province"),
        "coord_changchun": ("municipal_coordinator", "city"),
        "coord_jilin": ("municipal_coordinator", "city"),
        "sub_changchun": ("submitter", "city"),
        "sub_jilin": ("submitter", "city"),
        "sub_yanji": ("submitter", "county"),
        "sub_province": ("submitter", "province"),
    }
    for username, (role, level) in expected.items():
        user = User.objects.select_related("organization__region").get(username=username)
        assert (user.role, user.organization.level) == (role, level), username
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="sub_changchun").organization.city.name == "长春市"
    assert User.objects.get(username="sub_jilin").organization.city.name == "吉林市"
    assert User.objects.get(username="sub_yanji").organization.region.name == "延吉市"
    assert User.objects.get(username="coord_changchun").organization.is_coordination_authority
    # Bureaus in every region: a dozen or more in the province and each city, several per county.
    assert Organization.objects.filter(level="province").count() >= 12
    for city_code in ("220100", "220200", "222400"):
        assert Organization.objects.filter(region__code=city_code).count() >= 12
    assert Organization.objects.filter(region__code="222401").count() >= 5


@pytest.mark.parametrize("args,message", [(["--scale", "0"], "--scale"), (["--password", "short"], "--password")])
def test_bad_arguments_are_refused_with_a_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", *args, verbosity=0)



def test_summary_lists_every_demo_user_with_role_and_organization(db):
    from io import StringIO

    from django.utils import translation

    from organizations.models import User
    from organizations.seed import DEMO_USERS

    out = StringIO()
    with translation.override("zh-hans"):
        call_command("seed_demo", "--password", "seed-pass-2026", "--only", "organizations", stdout=out)
        listed = {line.split()[0]: " ".join(line.split()[1:]) for line in out.getvalue().splitlines() if line.startswith("  ")}
        expected = {"admin": "管理员"}
        for username in DEMO_USERS:
            user = User.objects.select_related("organization").get(username=username)
            expected[username] = f"{user.get_role_display()} · {user.organization}"
    assert listed == expected
    assert listed["sub_yanji"] == "填报人 · 延吉市教育局"


def test_every_seed_step_is_found():
    """A step whose module moved would be skipped without a word (the one-house split did this to
    demands, redundancy and projects): every listed step resolves to its function."""
    from core.seeding import STEPS, resolve

    assert [name for name, path in STEPS if resolve(path) is None] == []


def test_seed_fills_demands_and_projects(users):
    from projects.models import Demand, Project

    call_command("seed_demo", "--password", "seed-pass-2026", verbosity=0)
    assert Demand.objects.count() > 0 and Project.objects.filter(hardware_items__isnull=False).exists()
