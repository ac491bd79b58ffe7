"""Every write to the catalogue goes through assets.services: codes, permissions, history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from assets import services
from assets.models import DataResource, HardwareItem, InformationSystem
from core.models import AuditLog
from core.sequences import reserve_codes
from core.workflow import history_for

from .factories import HardwareFactory, SystemFactory, make_project, org

pytestmark = pytest.mark.django_db


def _create(user, owner_code, **kwargs):
    return services.create_system(actor=user, name=kwargs.pop("name", "吉林市智慧停车平台"), owner_org=org(owner_code), **kwargs)


def test_create_system_gives_consecutive_codes_and_records_history(users):
    first = _create(users["prov_reviewer"], "220000-zwj", capabilities=["gis", "iot"], user_orgs=[org("220100-swj")])
    second = _create(users["sub_jilin"], "220200-mzj", name="吉林市社区养老服务平台")
    assert (first.code, second.code) == ("XT-0001", "XT-0002")
    assert sorted(first.capabilities.values_list("code", flat=True)) == ["gis", "iot"]
    assert list(first.user_orgs.values_list("code", flat=True)) == ["220100-swj"]
    assert first.build_mode == "provincial_for_others"
    assert second.build_mode == "self_built"
    rows = list(history_for(first))
    assert [(r.machine, r.transition, r.target, r.actor_id) for r in rows] == [("catalogue", "create", "in_operation", users["prov_reviewer"].pk)]


def test_reserve_codes_takes_a_block_after_the_last_number(users):
    _create(users["prov_reviewer"], "220000-zwj")
    assert reserve_codes("XT", 4, 3) == ["XT-0002", "XT-0003", "XT-0004"]
    assert _create(users["prov_reviewer"], "220000-zwj", name="下一个").code == "XT-0005"


@pytest.mark.parametrize("username,owner_code", [
    ("sub_changchun", "220200-mzj"),       # a bureau for another bureau
    ("coord_changchun", "220100-jyj"),     # a coordinator for a bureau of its own city
    ("auditor", "220000-sjt"),             # auditors read only
    ("finance", "220000-czt"),             # finance reads only
])
def test_only_owners_and_provincial_roles_may_add_systems(users, username, owner_code):
    with pytest.raises(PermissionDenied):
        _create(users[username], owner_code)
    assert InformationSystem.objects.count() == 0
    assert AuditLog.objects.count() == 0


@pytest.mark.parametrize("username", ["prov_reviewer", "prov_approver", "pm", "ops", "admin"])
def test_provincial_maintainers_may_change_any_system(users, username):
    system = SystemFactory(owner_org=org("220300-swj"))
    services.update_system(system, actor=users[username], yearly_ops_cost=Decimal("5.00"))
    system.refresh_from_db()
    assert system.yearly_ops_cost == Decimal("5.00")


def test_bureau_changes_its_own_system_but_not_anothers(users):
    own = SystemFactory(owner_org=org("220100-jyj"), name="长春市智慧校园平台")
    other = SystemFactory(owner_org=org("220100-mzj"), name="长春市养老服务平台")
    services.update_system(own, actor=users["sub_changchun"], name="长春市智慧校园平台（二期）", capabilities=["video"])
    with pytest.raises(PermissionDenied):
        services.update_system(other, actor=users["sub_changchun"], name="改名")
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.name == "长春市智慧校园平台（二期）"
    assert other.name == "长春市养老服务平台"


def test_bureau_cannot_give_its_system_away(users):
    own = SystemFactory(owner_org=org("220100-jyj"))
    with pytest.raises(PermissionDenied):
        services.update_system(own, actor=users["sub_changchun"], owner_org=org("220100-mzj"))
    own.refresh_from_db()
    assert own.owner_org.code == "220100-jyj"


def test_update_records_only_what_changed(users):
    system = SystemFactory(capabilities=["gis"], yearly_ops_cost=Decimal("100.00"))
    services.update_system(system, actor=users["ops"], yearly_ops_cost=Decimal("250.00"), capabilities=["gis", "video"], name=system.name)
    services.update_system(system, actor=users["ops"], yearly_ops_cost=Decimal("250.00"))  # nothing changes: no row
    rows = list(history_for(system))
    assert len(rows) == 1
    assert rows[0].transition == "update"
    assert rows[0].payload == {"changes": {"yearly_ops_cost": ["100.00", "250.00"], "capabilities": [["gis"], ["gis", "video"]]}}


def test_invalid_values_are_refused_with_the_field_named(users):
    system = SystemFactory()
    with pytest.raises(ValidationError) as err:
        services.update_system(system, actor=users["ops"], security_level=7)
    assert set(err.value.message_dict) == {"security_level"}
    with pytest.raises(ValidationError) as err, translation.override("en"):
        services.create_system(actor=users["ops"], name="x", owner_org=org("220000-zwj"), capabilities=["teleport"])
    assert err.value.message_dict == {"capabilities": ["Unknown capability code: teleport"]}
    assert InformationSystem.objects.count() == 1


def test_add_user_org_records_the_new_user_once(users):
    system = SystemFactory(owner_org=org("220000-zjt"))
    assert services.add_user_org(system, org("220300-swj"), actor=users["prov_reviewer"], comment="推荐复用") is True
    assert services.add_user_org(system, org("220300-swj"), actor=users["prov_reviewer"]) is False
    assert services.add_user_org(system, org("220000-zjt"), actor=users["prov_reviewer"]) is False  # the owner itself
    assert list(system.user_orgs.values_list("code", flat=True)) == ["220300-swj"]
    assert [(r.transition, r.payload, r.comment) for r in history_for(system)] == [("add_user", {"org": "220300-swj"}, "推荐复用")]


def test_register_system_for_project_creates_once_then_updates(users):
    project = make_project()
    system = services.register_system_for_project(
        project, name="全省统一电子档案平台", description="电子档案接收和长期保存", capabilities=["records"],
        user_orgs=[org("220100-zwj")], owner_org=org("220000-zwj"), actor=users["ops"],
    )
    assert (system.status, system.project_id, system.build_mode) == ("in_operation", project.pk, "provincial_for_others")
    services.retire_system(system, actor=users["ops"])
    again = services.register_system_for_project(
        project, name="全省统一电子档案平台", description="", capabilities=["search"], user_orgs=[org("220200-zwj")],
        owner_org=org("220000-zwj"), actor=users["ops"],
    )
    assert again.pk == system.pk
    assert InformationSystem.objects.filter(project=project).count() == 1
    assert sorted(again.capabilities.values_list("code", flat=True)) == ["records", "search"]
    assert [r.transition for r in history_for(again)] == ["create", "retire", "go_live"]


def test_retire_system_is_idempotent_and_logged_once(users):
    system = SystemFactory()
    services.retire_system(system, actor=users["ops"], comment="迁移至省级平台")
    services.retire_system(system, actor=users["ops"])
    system.refresh_from_db()
    assert system.status == "retired"
    assert [(r.transition, r.source, r.target, r.comment) for r in history_for(system)] == [
        ("retire", "in_operation", "retired", "迁移至省级平台")]


def test_status_of_a_project_system_follows_the_project(users):
    system = SystemFactory(project=make_project())
    with pytest.raises(ValidationError) as err:
        services.update_system(system, actor=users["ops"], status="retired")
    assert set(err.value.message_dict) == {"status"}


def test_data_resources_get_codes_and_follow_the_owner_rule(users):
    resource = services.create_data_resource(actor=users["sub_siping"], name="四平市供水水质信息", owner_org=org("220300-swj"),
                                             sharing="unconditional", opening="unconditional")
    assert resource.code == "SJ-00001"
    with pytest.raises(PermissionDenied):
        services.create_data_resource(actor=users["sub_siping"], name="别人的", owner_org=org("220300-jyj"),
                                      sharing="unconditional", opening="unconditional")
    with pytest.raises(ValidationError) as err:
        services.update_data_resource(resource, actor=users["sub_siping"], sharing="non_sharing", opening="unconditional")
    assert "__all__" in err.value.message_dict
    assert DataResource.objects.get().sharing == "unconditional"


def test_hardware_belongs_to_its_systems_owner(users):
    own = SystemFactory(owner_org=org("220100-jyj"))
    other = SystemFactory(owner_org=org("220100-mzj"))
    item = services.create_hardware(actor=users["sub_changchun"], name="校园云主机", kind="cloud_vm", system=own, quantity=2,
                                    unit_cost=Decimal("9000"))
    with pytest.raises(PermissionDenied):
        services.create_hardware(actor=users["sub_changchun"], name="不是我的", kind="cloud_vm", system=other, unit_cost=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.update_hardware(item, actor=users["sub_changchun"], system=other)
    with pytest.raises(PermissionDenied):
        services.update_hardware(HardwareFactory(system=other), actor=users["sub_changchun"], quantity=9)
    assert HardwareItem.objects.filter(system=own).count() == 1
