"""The demand pages as each role uses them: the form, the demand page, the queues, the lists."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.choices import Sharing
from core.models import AuditLog
from projects.demands.attachments import add_attachment
from projects.demands.choices import DemandStatus as S
from projects.demands.services import demand_transition
from projects.models import Attachment, Demand
from tests.projects.factories import PDF, PNG, DataResourceFactory, DemandFactory, org, upload, walk

FORM = {
    "title": "长春市教育局智慧校园统一身份认证平台",
    "contact_name": "刘科长",
    "contact_phone": "0431-88880000",
    "domain": "public_services",
    "construction_type": "new",
    "urgency": "urgent",
    "description": "统一全市中小学师生账号，实现单点登录。",
    "resources_wanted": "云主机 8 核 16G × 4",
    "policy_basis": "《吉林省促进大数据发展应用条例》",
    "capabilities": ["identity_auth", "data_exchange"],
    "budget_hardware": "300000",
    "budget_software": "800000",
    "budget_services": "250000",
    "budget_operations": "150000",
    "planned_start": "2027-01-01",
    "planned_end": "2027-12-31",
}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.django_db
def test_submitter_files_and_submits_from_the_form_with_an_attachment(users, login, media):
    client = login(users["sub_changchun"])
    assert client.get(reverse("projects:demand_create")).status_code == 200
    response = client.post(reverse("projects:demand_create"), {**FORM, "action": "submit",
                                                               "attachments": [upload("可研.pdf", PDF)]})
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:demand_detail", args=[demand.pk])
    assert (demand.status, demand.budget_total, demand.urgency) == (S.MUNICIPAL_REVIEW, Decimal("1500000.00"), "urgent")
    assert demand.attachments.get().original_name == "可研.pdf"
    page = client.get(response["Location"]).content.decode()
    assert demand.code in page
    assert "¥1,500,000.00" in page


@pytest.mark.django_db
def test_save_as_draft_keeps_an_incomplete_demand(users, login):
    client = login(users["sub_changchun"])
    response = client.post(reverse("projects:demand_create"), {"title": "先存个草稿", "action": "save"})
    demand = Demand.objects.get()
    assert response["Location"] == reverse("projects:demand_edit", args=[demand.pk])
    assert (demand.status, demand.title) == (S.DRAFT, "先存个草稿")


@pytest.mark.django_db
def test_submitting_an_incomplete_form_names_each_missing_field_and_keeps_the_input(users, login):
    client = login(users["sub_changchun"])
    response = client.post(reverse("projects:demand_create"), {"title": "只填了标题", "action": "submit"}, follow=True)
    demand = Demand.objects.get()
    assert response.redirect_chain == [(f"{reverse('projects:demand_edit', args=[demand.pk])}?check=submit", 302)]
    page = response.content.decode()
    assert (demand.status, demand.title) == (S.DRAFT, "只填了标题")
    for field in ("description", "domain", "construction_type", "capabilities", "budget_hardware"):
        assert str(Demand._meta.get_field(field).verbose_name) in page
    assert 'value="只填了标题"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "expect"),
    [
        ({"budget_hardware": "-1"}, "budget_hardware"),
        ({"budget_software": "20000000000"}, "budget_software"),
        ({"planned_end": "2026-01-01"}, "planned_end"),
    ],
)
def test_bad_form_input_is_shown_again_and_nothing_is_saved(users, login, changes, expect):
    client = login(users["sub_changchun"])
    response = client.post(reverse("projects:demand_create"), {**FORM, **changes, "action": "submit"})
    assert response.status_code == 400
    assert response.context["form"].errors[expect]
    assert Demand.objects.count() == 0


@pytest.mark.django_db
def test_forbidden_file_is_refused_in_the_form_and_nothing_is_saved(users, login, media):
    client = login(users["sub_changchun"])
    response = client.post(reverse("projects:demand_create"),
                           {**FORM, "action": "save", "attachments": [upload("假的.pdf", PNG)]})
    assert response.status_code == 400
    assert "假的.pdf" in response.content.decode()
    assert (Demand.objects.count(), Attachment.objects.count()) == (0, 0)
    assert not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_returned_demand_shows_the_comment_on_top_and_marks_the_fields(users, login):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    demand_transition(demand=demand, name="return_for_revision", actor=users["prov_reviewer"],
                      comment="请细化硬件清单", fields_to_fix=["budget_hardware"])
    client = login(users["sub_changchun"])
    page = client.get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert page.index('data-testid="review-comment"') < page.index('data-testid="budget"')
    assert "请细化硬件清单" in page
    assert '<tr class="table-danger"><th>' in page  # the hardware line is marked
    form = client.get(reverse("projects:demand_edit", args=[demand.pk]))
    assert "请细化硬件清单" in form.content.decode()
    assert "border-danger" in form.context["form"].fields["budget_hardware"].widget.attrs["class"]


@pytest.mark.django_db
def test_demand_page_offers_only_the_actions_this_user_may_take(users, login):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    page = login(users["coord_changchun"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert 'data-testid="action-municipal_approve"' in page
    assert 'data-testid="action-return_for_revision"' in page
    assert 'data-testid="action-reject"' in page
    assert 'data-testid="action-withdraw"' not in page
    page = login(users["sub_changchun"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert 'data-testid="action-withdraw"' in page
    assert 'data-testid="action-municipal_approve"' not in page
    page = login(users["prov_reviewer"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert 'data-testid="action-' not in page


@pytest.mark.django_db
def test_action_button_fires_the_transition_and_the_timeline_shows_it(users, login):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    client = login(users["coord_changchun"])
    response = client.post(reverse("projects:demand_transition", args=[demand.pk]),
                           {"name": "municipal_approve", "comment": "同意上报"})
    assert response.status_code == 302
    assert Demand.objects.get(pk=demand.pk).status == S.PROVINCIAL_REVIEW
    page = client.get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert "同意上报" in page
    assert page.count("<li class=\"mb-3 ps-3 border-start") == 2


@pytest.mark.django_db
def test_return_without_comment_from_the_page_is_refused_with_a_message(users, login):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    client = login(users["prov_reviewer"])
    response = client.post(reverse("projects:demand_transition", args=[demand.pk]), {"name": "return_for_revision"},
                           follow=True)
    assert response.status_code == 200
    assert any(m.level_tag == "error" for m in response.context["messages"])
    assert Demand.objects.get(pk=demand.pk).status == S.PROVINCIAL_REVIEW


@pytest.mark.django_db
def test_merge_from_the_page_takes_a_demand_number(users, login):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    target = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    login(users["prov_reviewer"]).post(reverse("projects:demand_transition", args=[demand.pk]),
                                       {"name": "merge", "comment": "合并", "target": target.code.lower()})
    demand.refresh_from_db()
    assert (demand.status, demand.merged_into_id) == (S.MERGED, target.pk)


@pytest.mark.django_db
def test_data_resources_show_non_sharing_plainly_and_authorization_pending(users, login):
    demand = DemandFactory()
    from projects.demands.services import save_demand

    closed = DataResourceFactory(name="不动产登记原始档案", sharing=Sharing.NON_SHARING)
    authorized = DataResourceFactory(name="个人社保缴费明细", sharing=Sharing.AUTHORIZED)
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [closed.pk, authorized.pk]})
    page = login(users["prov_reviewer"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert 'data-testid="non-sharing"' in page
    assert 'data-testid="authorization-pending"' in page


@pytest.mark.django_db
def test_queue_shows_waiting_time_and_overdue_in_red(users, login):
    late = walk(DemandFactory(title="逾期的需求"), S.MUNICIPAL_REVIEW, users)
    walk(DemandFactory(title="刚提交的需求"), S.MUNICIPAL_REVIEW, users)
    Demand.objects.filter(pk=late.pk).update(stage_entered_at=timezone.now() - timedelta(days=20),
                                             due_at=timezone.now() - timedelta(days=6))
    response = login(users["coord_changchun"]).get(reverse("projects:review_queue"))
    page = response.content.decode()
    assert (response.context["stats"]["waiting"], response.context["stats"]["overdue"]) == (2, 1)
    assert page.count('class="table-danger" data-testid="demand-row"') == 1
    assert page.index("逾期的需求") < page.index("刚提交的需求")  # longest waiting first
    assert "20" in page


@pytest.mark.django_db
def test_queue_filters(users, login):
    a = walk(DemandFactory(title="甲", domain="agriculture", urgency="critical"), S.PROVINCIAL_REVIEW, users)
    b = walk(DemandFactory(title="乙", budget_software=Decimal("9000000")), S.PROVINCIAL_REVIEW, users)
    client = login(users["prov_reviewer"])

    def rows(query):
        return [d.pk for d in client.get(reverse("projects:review_queue") + query).context["page"]]

    assert sorted(rows("")) == sorted([a.pk, b.pk])
    assert rows("?domain=agriculture") == [a.pk]
    assert rows("?budget=5m-20m") == [b.pk]
    assert rows("?urgency=critical") == [a.pk]
    assert rows("?sort=budget") == [b.pk, a.pk]
    assert rows(f"?city={org('220100-jyj').city_id}") != []
    assert rows("?flagged=true") == []
    assert rows("?capability=identity_auth&sort=urgency") == [a.pk, b.pk]
    assert rows("?age=bogus") == rows("")  # a hand-edited URL does not break the page


@pytest.mark.django_db
def test_each_reviewer_sees_only_the_stage_they_hold(users, login):
    muni = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    prov = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    expert = walk(DemandFactory(budget_software=Decimal("9000000")), S.EXPERT_REVIEW, users)

    def queue(username):
        return sorted(d.pk for d in login(users[username]).get(reverse("projects:review_queue")).context["page"])

    assert queue("coord_changchun") == [muni.pk]
    assert queue("coord_jilin") == []
    assert queue("prov_reviewer") == [prov.pk]
    assert queue("prov_approver") == sorted([prov.pk, expert.pk])


@pytest.mark.django_db
def test_submitter_has_no_review_queue(users, login):
    assert login(users["sub_changchun"]).get(reverse("projects:review_queue")).status_code == 403


@pytest.mark.django_db
def test_my_demands_lists_the_bureaus_demands_only(users, login):
    mine = DemandFactory()
    DemandFactory(org=org("220200-mzj"))
    response = login(users["sub_changchun"]).get(reverse("projects:demand_list"))
    assert [d.pk for d in response.context["page"]] == [mine.pk]


@pytest.mark.django_db
def test_all_demands_searches(users, login):
    a = DemandFactory(title="智慧停车诱导系统")
    DemandFactory(title="农产品追溯")
    response = login(users["auditor"]).get(reverse("projects:demand_all") + "?search=停车")
    assert [d.pk for d in response.context["page"]] == [a.pk]


@pytest.mark.django_db
def test_attachment_downloads_for_those_who_may_see_the_demand(users, login, media):
    demand = DemandFactory()
    attachment = add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload("可研.pdf", PDF))
    response = login(users["coord_changchun"]).get(reverse("projects:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"


def test_files_have_no_public_url(settings):
    assert settings.MEDIA_URL in (None, "")


@pytest.mark.django_db
def test_home_shows_demand_panels(users, login):
    walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    response = login(users["coord_changchun"]).get("/")
    titles = [str(p.title) for p in response.context["panels"]]
    assert any(p.value == 1 for p in response.context["panels"])
    assert len(titles) >= 2


@pytest.mark.django_db
def test_withdraw_from_the_page(users, login):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    login(users["sub_changchun"]).post(reverse("projects:demand_transition", args=[demand.pk]), {"name": "withdraw"})
    assert Demand.objects.get(pk=demand.pk).status == S.WITHDRAWN
    assert AuditLog.objects.filter(object_id=demand.pk, transition="withdraw").count() == 1


@pytest.mark.django_db
def test_editing_keeps_planned_dates_and_amounts(users, login):
    """The edit form shows every saved value in a form the browser sends back unchanged."""
    import re
    from datetime import date

    demand = DemandFactory(planned_start=date(2027, 3, 1), planned_end=date(2027, 12, 31),
                           budget_software=Decimal("650000.50"))
    client = login(users["sub_changchun"])
    page = client.get(reverse("projects:demand_edit", args=[demand.pk])).content.decode()
    assert 'value="2027-03-01"' in page and 'value="2027-12-31"' in page
    assert re.search(r'name="budget_software"[^>]*value="650,000.50"|value="650,000.50"[^>]*name="budget_software"', page)
    form = client.get(reverse("projects:demand_edit", args=[demand.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(planned_start="2027-03-01", planned_end="2027-12-31", action="save",
                capabilities=form.initial["capabilities"], data_resources=[])
    client.post(reverse("projects:demand_edit", args=[demand.pk]), data)
    demand.refresh_from_db()
    assert (demand.planned_start, demand.planned_end, demand.budget_software) == (
        date(2027, 3, 1), date(2027, 12, 31), Decimal("650000.50"))


@pytest.mark.django_db
def test_submit_save_fail_and_save_again_makes_one_draft_not_two(users, login):
    client = login(users["sub_changchun"])
    first = client.post(reverse("projects:demand_create"), {"title": "只填了标题", "action": "submit"})
    demand = Demand.objects.get()
    edit_url = reverse("projects:demand_edit", args=[demand.pk])
    assert first["Location"].startswith(edit_url)
    page = client.get(first["Location"]).content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]
    client.post(edit_url, {**FORM, "title": "补全后提交", "version": version, "action": "submit"})
    assert Demand.objects.count() == 1
    demand.refresh_from_db()
    assert (demand.title, demand.status) == ("补全后提交", S.MUNICIPAL_REVIEW)


@pytest.mark.django_db
def test_an_edit_of_a_demand_changed_since_it_was_opened_is_refused_not_overwritten(users, login):
    client = login(users["sub_changchun"])
    demand = DemandFactory(org=org("220100-jyj"), title="原标题")
    edit_url = reverse("projects:demand_edit", args=[demand.pk])
    page = client.get(edit_url).content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]
    Demand.objects.filter(pk=demand.pk).update(title="同事改过的标题", updated_at=timezone.now() + timedelta(seconds=1))
    response = client.post(edit_url, {**FORM, "title": "我的修改", "version": version, "action": "save"}, follow=True)
    demand.refresh_from_db()
    assert demand.title == "同事改过的标题"
    assert "此记录已被他人修改，请刷新后再编辑" in response.content.decode()


@pytest.mark.django_db
def test_api_patch_with_a_stale_version_answers_409_and_changes_nothing(users, api):
    demand = DemandFactory(org=org("220100-jyj"), title="原标题")
    client = api.as_user(users["sub_changchun"])
    version = client.get(f"/api/v1/demands/{demand.pk}/").json()["version"]
    Demand.objects.filter(pk=demand.pk).update(title="同事改过的标题", updated_at=timezone.now() + timedelta(seconds=1))
    response = client.patch(f"/api/v1/demands/{demand.pk}/", {"title": "我的修改", "version": version}, format="json")
    assert response.status_code == 409
    demand.refresh_from_db()
    assert demand.title == "同事改过的标题"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/x", "javascript:alert(1)"])
def test_attachment_delete_never_redirects_off_site(users, login, media, target):
    demand = DemandFactory(org=org("220100-jyj"))
    attachment = add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload("a.pdf", PDF))
    response = login(users["sub_changchun"]).post(reverse("projects:attachment_delete", args=[attachment.pk]), {"next": target})
    assert response["Location"] == reverse("projects:demand_edit", args=[demand.pk])
