"""Filing and editing demands, and their attachments: every rule refuses with the field named, saving nothing."""

from datetime import date
from decimal import Decimal

import pytest

from assets.choices import Sharing
from core.errors import TransitionConflict, TransitionForbidden
from core.uploads import clean_filename
from projects.demands.attachments import add_attachment, delete_attachment
from projects.demands.choices import AuthorizationStatus
from projects.demands.choices import DemandStatus as S
from projects.demands.models import field_label
from projects.demands.services import DemandInvalid, save_demand
from projects.models import Attachment, Demand
from tests.projects.factories import (
    DOCX,
    JPG,
    OFD,
    PDF,
    PNG,
    XLSX,
    DataResourceFactory,
    DemandFactory,
    upload,
    walk,
    zip_with,
)

GOOD = {
    "title": "长春市教育局智慧校园统一身份认证平台",
    "description": "统一全市中小学师生账号。",
    "domain": "public_services",
    "construction_type": "new",
    "capabilities": ["identity_auth", "e_license"],
    "budget_hardware": "300000",
    "budget_software": Decimal("800000.50"),
    "budget_services": "250,000.00",
    "budget_operations": 0,
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_save_demand_creates_a_draft_of_the_submitters_bureau_with_the_total_computed(users):
    demand = save_demand(actor=users["sub_changchun"], data=GOOD)
    demand.refresh_from_db()
    assert (demand.status, demand.org.code, demand.created_by, demand.code) == (S.DRAFT, "220100-jyj", users["sub_changchun"], None)
    assert demand.budget_total == Decimal("1350000.50")
    assert sorted(demand.capabilities.values_list("code", flat=True)) == ["e_license", "identity_auth"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget_hardware": "-1"}, "budget_hardware"),
        ({"budget_software": "10000000000.01"}, "budget_software"),
        ({"budget_services": "abc"}, "budget_services"),
        ({"budget_operations": "1.005"}, "budget_operations"),
        ({"budget_hardware": "6000000000", "budget_software": "4000000000.01"}, "budget_total"),
        ({"planned_start": date(2026, 6, 1), "planned_end": date(2026, 5, 31)}, "planned_end"),
        ({"planned_start": "2026-13-01"}, "planned_start"),
        ({"capabilities": ["identity_auth", "teleportation"]}, "capabilities"),
        ({"data_resources": [987654]}, "data_resources"),
        ({"domain": "space"}, "domain"),
        ({"title": "长" * 201}, "title"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(users, changes, field):
    with pytest.raises(DemandInvalid) as err:
        save_demand(actor=users["sub_changchun"], data={**GOOD, **changes})
    assert list(err.value.field_errors) == [field]
    if field != "budget_total":
        assert field_label(field) in str(err.value.message) or field in ("capabilities", "data_resources")
    assert Demand.objects.count() == 0


@pytest.mark.django_db
def test_edit_refused_half_way_leaves_the_demand_as_it_was(users):
    demand = DemandFactory(title="原标题")
    with pytest.raises(DemandInvalid):
        save_demand(actor=users["sub_changchun"], demand=demand, data={"title": "新标题", "budget_hardware": "-5"})
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.title, fresh.budget_hardware) == ("原标题", Decimal("300000.00"))


@pytest.mark.django_db
def test_data_resources_record_authorization_pending_only_for_authorized_sharing(users):
    free = DataResourceFactory(sharing=Sharing.UNCONDITIONAL)
    authorized = DataResourceFactory(sharing=Sharing.AUTHORIZED)
    closed = DataResourceFactory(sharing=Sharing.NON_SHARING)
    demand = save_demand(actor=users["sub_changchun"], data={**GOOD, "data_resources": [free.pk, authorized.pk, closed.pk]})
    links = dict(demand.data_resource_links.values_list("resource_id", "authorization"))
    assert links == {free.pk: AuthorizationStatus.NOT_NEEDED, authorized.pk: AuthorizationStatus.PENDING,
                     closed.pk: AuthorizationStatus.NOT_NEEDED}


@pytest.mark.django_db
def test_editing_data_resources_keeps_granted_authorizations(users):
    authorized, other = DataResourceFactory(sharing=Sharing.AUTHORIZED), DataResourceFactory()
    demand = save_demand(actor=users["sub_changchun"], data={**GOOD, "data_resources": [authorized.pk]})
    demand.data_resource_links.update(authorization=AuthorizationStatus.GRANTED)
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [authorized.pk, other.pk]})
    assert dict(demand.data_resource_links.values_list("resource_id", "authorization")) == {
        authorized.pk: AuthorizationStatus.GRANTED, other.pk: AuthorizationStatus.NOT_NEEDED}
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [other.pk]})
    assert list(demand.data_resource_links.values_list("resource_id", flat=True)) == [other.pk]


@pytest.mark.django_db
def test_only_the_bureaus_submitters_file_demands(users, orgs):
    with pytest.raises(TransitionForbidden):
        save_demand(actor=users["coord_changchun"], data=GOOD)
    with pytest.raises(DemandInvalid) as err:
        save_demand(actor=users["sub_changchun"], data={**GOOD, "org": orgs["220200-mzj"]})
    assert list(err.value.field_errors) == ["org"]
    assert Demand.objects.count() == 0


@pytest.mark.django_db
def test_other_bureau_cannot_edit(users):
    demand = DemandFactory()
    with pytest.raises(TransitionForbidden):
        save_demand(actor=users["sub_jilin"], demand=demand, data={"title": "改"})


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.APPROVED, S.WITHDRAWN])
def test_demand_cannot_be_edited_once_submitted(users, state):
    demand = walk(DemandFactory(title="原标题"), state, users)
    with pytest.raises(TransitionConflict) as err:
        save_demand(actor=users["sub_changchun"], demand=demand, data={"title": "新标题"})
    assert err.value.state == state
    assert Demand.objects.get(pk=demand.pk).title == "原标题"


@pytest.mark.django_db
def test_returned_demand_can_be_edited(users):
    demand = walk(DemandFactory(), S.RETURNED, users)
    save_demand(actor=users["sub_changchun"], demand=demand, data={"budget_hardware": "100000"})
    assert Demand.objects.get(pk=demand.pk).budget_total == Decimal("1300000.00")


@pytest.mark.django_db
def test_edit_on_a_stale_copy_conflicts(users):
    demand = DemandFactory()
    stale = Demand.objects.get(pk=demand.pk)
    walk(demand, S.MUNICIPAL_REVIEW, users)
    with pytest.raises(TransitionConflict):
        save_demand(actor=users["sub_changchun"], demand=stale, data={"title": "悄悄改"})
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.status, fresh.title) == (S.MUNICIPAL_REVIEW, demand.title)


# ---------------------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("可研报告.pdf", PDF, "application/pdf"),
        ("批复.OFD", OFD, "application/ofd"),
        ("需求说明.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("预算表.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("现场.jpg", JPG, "image/jpeg"),
        ("拓扑.png", PNG, "image/png"),
    ],
)
def test_accepted_attachment_is_stored_privately(users, media, name, content, content_type):
    demand = DemandFactory()
    attachment = add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload(name, content))
    assert (attachment.original_name, attachment.content_type, attachment.size) == (clean_filename(name), content_type, len(content))
    assert attachment.file.name.startswith(f"private/demands/{demand.pk}/")
    assert name not in attachment.file.name  # stored under a random name
    assert (media / attachment.file.name).read_bytes() == content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00"),
        ("notes.txt", b"hello"),
        ("fake.pdf", PNG),
        ("fake.png", PDF),
        ("fake.jpg", PNG),
        ("fake.docx", XLSX),
        ("fake.xlsx", DOCX),
        ("zip.docx", zip_with("readme.txt")),
        ("broken.ofd", b"PK\x03\x04garbage"),
        ("empty.pdf", b""),
        ("noextension", PDF),
    ],
)
def test_refused_attachment_names_the_file_and_saves_nothing(users, media, name, content):
    demand = DemandFactory()
    with pytest.raises(DemandInvalid) as err:
        add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload(name, content))
    assert list(err.value.field_errors) == ["attachments"]
    assert name in str(err.value.message)
    assert Attachment.objects.count() == 0
    assert not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_attachment_over_20_mb_is_refused(users, media):
    demand = DemandFactory()
    big = upload("大文件.pdf", PDF + b"\x00" * (20 * 1024 * 1024 - len(PDF) + 1))
    with pytest.raises(DemandInvalid) as err:
        add_attachment(actor=users["sub_changchun"], demand=demand, upload=big)
    assert "20 MB" in str(err.value.message)
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_attachment_of_exactly_20_mb_is_accepted(users, media):
    demand = DemandFactory()
    exact = upload("刚好.pdf", PDF + b"\x00" * (20 * 1024 * 1024 - len(PDF)))
    assert add_attachment(actor=users["sub_changchun"], demand=demand, upload=exact).size == 20 * 1024 * 1024


@pytest.mark.django_db
def test_attachments_are_frozen_once_submitted(users, media, django_capture_on_commit_callbacks):
    demand = DemandFactory()
    attachment = add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload("a.pdf", PDF))
    walk(demand, S.MUNICIPAL_REVIEW, users)
    with pytest.raises(TransitionConflict):
        add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload("b.pdf", PDF))
    with pytest.raises(TransitionConflict):
        delete_attachment(actor=users["sub_changchun"], attachment=attachment)
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_deleting_an_attachment_removes_its_file_after_commit(users, media, django_capture_on_commit_callbacks):
    demand = DemandFactory()
    attachment = add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload("a.pdf", PDF))
    path = media / attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        delete_attachment(actor=users["sub_changchun"], attachment=attachment)
    assert (Attachment.objects.count(), path.exists()) == (0, False)


@pytest.mark.django_db
def test_other_bureau_cannot_attach(users, media):
    demand = DemandFactory()
    with pytest.raises(TransitionForbidden):
        add_attachment(actor=users["sub_jilin"], demand=demand, upload=upload("a.pdf", PDF))
    assert Attachment.objects.count() == 0
