"""The optimistic lock every edit path uses: the row locked, its updated_at compared."""

import pytest
from django.db import transaction
from django.utils import translation

from assets.models import DataResource
from core.api import exception_handler
from core.concurrency import StaleEdit, edit_version, lock_and_compare


@pytest.fixture
def resource(orgs):
    return DataResource.objects.create(
        code="SJ-9001", name="人口基础信息", owner_org=orgs["220100-jyj"], sharing="authorized", opening="non_opening"
    )


@pytest.mark.django_db
def test_unchanged_record_is_returned_locked_and_fresh(resource):
    version = edit_version(resource)
    with transaction.atomic():
        row = lock_and_compare(DataResource, resource.pk, version)
        assert row.pk == resource.pk
        row.name = "人口基础信息库"
        row.save()
    assert DataResource.objects.get(pk=resource.pk).name == "人口基础信息库"


@pytest.mark.django_db
def test_record_changed_since_loaded_is_refused_and_not_overwritten(resource):
    version = edit_version(resource)  # the user opens the edit form
    other = DataResource.objects.get(pk=resource.pk)
    other.name = "别人改的名字"
    other.save()  # someone else saves first
    with pytest.raises(StaleEdit) as err, transaction.atomic():
        lock_and_compare(DataResource, resource.pk, version)
    assert err.value.status_code == 409
    with translation.override("zh-hans"):
        assert str(err.value.message) == "此记录已被他人修改，请刷新后再编辑"
    assert DataResource.objects.get(pk=resource.pk).name == "别人改的名字"


@pytest.mark.django_db
def test_version_travels_as_text_through_a_form_or_json(resource):
    version = edit_version(resource)
    assert isinstance(version, str)
    with transaction.atomic():
        assert lock_and_compare(DataResource, resource.pk, version).pk == resource.pk
    with pytest.raises(StaleEdit), transaction.atomic():
        lock_and_compare(DataResource, resource.pk, "not a version")


@pytest.mark.django_db(transaction=True)
def test_lock_and_compare_outside_a_transaction_is_a_programming_error(resource):
    with pytest.raises(RuntimeError):
        lock_and_compare(DataResource, resource.pk, edit_version(resource))


@pytest.mark.django_db
def test_stale_edit_answers_409_with_the_message_in_the_api():
    with translation.override("zh-hans"):
        response = exception_handler(StaleEdit(), {})
    assert response.status_code == 409
    assert response.data["detail"] == "此记录已被他人修改，请刷新后再编辑"
    assert response.data["code"] == "stale_edit"
