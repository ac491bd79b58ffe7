"""Index snapshots: a new process starts from the last one, catches up from the feed, and ends
where a rebuild would; a snapshot that must not be trusted is ignored and the index is built."""

import pytest

from projects.models import RedundancyIndexChange
from projects.redundancy import snapshot
from projects.redundancy.index import _holder, get_index, rebuild_index, reset_index, start_from_snapshot, write_snapshot
from projects.redundancy.search import check
from projects.redundancy.tasks import write_redundancy_snapshot
from tests.projects.redundancy_helpers import (  # noqa: F401  (autouse fixtures)
    PARKING_CAPS,
    PARKING_DEMAND,
    PARKING_SYSTEM,
    fresh_index,
    in_english,
    keys,
    make_demand,
    make_system,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def snap(settings, tmp_path):
    settings.REDUNDANCY_SNAPSHOT_PATH = str(tmp_path / "index.snapshot")
    return tmp_path / "index.snapshot"


def found():
    return keys(check(*PARKING_DEMAND, PARKING_CAPS)[1])


def world(users):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    other = make_system("长春市智慧停车服务系统", "停车泊位查询和无感支付，覆盖长春市主城区。", PARKING_CAPS, code="XT-8101")
    demand = submit(make_demand("吉林市智慧停车平台建设", "建设全市停车诱导和泊位共享平台，支持无感支付。",
                                org_code="220200-mzj"), users)
    return system, other, demand


def test_a_new_process_starts_from_the_snapshot_and_answers_like_a_rebuild(users, snap):
    world(users)
    assert write_snapshot() == snap and snap.stat().st_size > 1000
    expected = check(*PARKING_DEMAND, PARKING_CAPS)[1]

    reset_index()  # as a process that has just started
    assert start_from_snapshot() is True
    assert _holder.from_snapshot and _holder.rebuilds == 0
    assert check(*PARKING_DEMAND, PARKING_CAPS)[1] == expected
    rebuild_index()
    assert _holder.rebuilds == 1 and check(*PARKING_DEMAND, PARKING_CAPS)[1] == expected


def test_it_catches_up_with_what_changed_after_the_snapshot(users, snap):
    system, other, _demand = world(users)
    write_snapshot()
    running = get_index()  # a process that was running all along, and follows the same feed
    other.name, other.description = "长春市不动产登记系统", "不动产登记网上申请和查询"
    other.save()  # after the snapshot: only the feed knows
    newest = make_system("延边州智慧停车管理平台", PARKING_SYSTEM[1], PARKING_CAPS, code="XT-8102")

    all_along = check(*PARKING_DEMAND, PARKING_CAPS)[1]
    assert get_index() is running

    reset_index()
    get_index()
    assert _holder.from_snapshot and _holder.rebuilds == 0  # caught up, not rebuilt
    caught_up = check(*PARKING_DEMAND, PARKING_CAPS)[1]
    titles = {c["id"]: c["title"] for c in caught_up if c["kind"] == "system"}
    assert newest.pk in titles and system.pk in titles
    assert titles.get(other.pk, "长春市不动产登记系统") == "长春市不动产登记系统"  # the new wording, if still a candidate
    assert caught_up == all_along


def test_the_periodic_task_writes_it(users, snap):
    world(users)
    assert write_redundancy_snapshot() == str(snap)
    assert snapshot.read() is not None


def test_without_a_snapshot_the_index_is_built(users, snap):
    world(users)
    assert start_from_snapshot() is False
    get_index()
    assert _holder.rebuilds == 1 and not _holder.from_snapshot


def _built_instead():
    reset_index()
    get_index()
    return _holder.rebuilds == 1 and not _holder.from_snapshot


def test_a_tampered_snapshot_is_ignored(users, snap):
    world(users)
    write_snapshot()
    blob = bytearray(snap.read_bytes())
    blob[-40] ^= 0x01
    snap.write_bytes(bytes(blob))
    assert snapshot.read() is None
    assert _built_instead()


def test_a_snapshot_signed_with_another_secret_key_is_ignored(users, snap, settings):
    world(users)
    write_snapshot()
    settings.SECRET_KEY = "another-installation-" + "x" * 50
    assert snapshot.read() is None
    assert _built_instead()


def test_a_snapshot_of_other_engine_code_is_ignored(users, snap, monkeypatch):
    world(users)
    write_snapshot()
    monkeypatch.setattr(snapshot, "fingerprint", lambda: "engine-of-another-release")
    assert snapshot.read() is None
    assert _built_instead()


def test_a_truncated_or_foreign_file_is_ignored(users, snap):
    world(users)
    write_snapshot()
    snap.write_bytes(snap.read_bytes()[: len(snapshot.MAGIC) + 100])
    assert snapshot.read() is None
    snap.write_bytes(b"\x80\x04not a snapshot")
    assert snapshot.read() is None
    assert _built_instead()


def test_a_snapshot_whose_feed_position_is_gone_is_ignored(users, snap):
    world(users)
    write_snapshot()
    state = snapshot.read()
    RedundancyIndexChange.objects.filter(pk=state["last_id"]).delete()  # pruned, or another database
    assert start_from_snapshot() is False
    assert _built_instead()


def test_a_snapshot_of_another_database_with_the_same_ids_is_ignored(users, snap):
    world(users)
    write_snapshot()
    state = snapshot.read()
    RedundancyIndexChange.objects.filter(pk=state["last_id"]).update(created_at=state["last_at"].replace(year=2020))
    assert start_from_snapshot() is False


def test_snapshots_can_be_switched_off(users, settings):
    settings.REDUNDANCY_SNAPSHOT_PATH = ""
    world(users)
    assert write_snapshot() is None and snapshot.read() is None
