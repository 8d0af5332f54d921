"""Snapshots and leases at the service level, run on every tier."""
import errno
import gzip
import logging
from collections import Counter

import pytest

import models
from models import ChatSession, Conversation, Message, Tenant, WebhookArchive
from models.collections import GlobalCollection
from models.tenancy import tenant_scope
from services import clock
from services.commerce import chat_sessions
from services.messaging import messages
from services.operations import leases, restore, restore_marker, snapshot_files, snapshots
from services.tenancy.tenants import create_tenant, update_tenant
from tests.conftest import assert_problem


def _seed(n_messages: int = 30):
    tenant, _secrets = create_tenant("snap", "Snap")
    with tenant_scope(tenant.id):
        for i in range(n_messages):
            messages.record_message({"session_id": "s", "from": "5511912345678", "to": "5511987654321",
                                     "direction": "in", "text": f"m{i} ✅", "external_id": f"e{i}"})
        messages.record_status("e3", "read", 1_700_000_000_000)
        messages.record_status("parked", "sent", 1_700_000_000_000)
    return tenant


def test_snapshot_round_trip(app, tmp_path):
    with app.app_context():
        tenant = _seed()
        manifest = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)
        generation = tmp_path / "snapshots" / manifest["generation"]
        assert snapshots.verify(generation) == []
        assert manifest["files"]["messages.jsonl.gz"]["records"] == 31  # 30 + one parked status
        assert manifest["files"]["tenants.jsonl.gz"]["records"] == 1
        assert not list((tmp_path / "snapshots").glob("*.partial"))
        restore.clear_store()
        assert restore.store_is_empty()
        counts = restore.restore(generation)
        assert counts["messages.jsonl.gz"]["restored"] == 31
        with tenant_scope(tenant.id):
            assert messages.get_by_external_id("e3")["status_rank"] == 3
            assert messages.list_messages({}, 200, None, True)["total"] == 30
            assert messages.get_by_external_id("e7")["text"] == "m7 ✅"


def _ids_by_collection(generation, file_name, default_collection) -> Counter:
    return Counter((record.get(snapshots.COLLECTION_KEY, default_collection), record["_id"])
                   for record in snapshot_files.read_records(generation / file_name))


def test_paged_reads_write_every_document_exactly_once(app, tmp_path, monkeypatch):
    """Pages of 3 over ties longer than a page, pages ending inside a tie, documents
    without the page key and unique keys: every file holds each document once."""
    monkeypatch.setattr(snapshots, "PAGE", 3)
    with app.app_context():
        tenants = [create_tenant(f"page{n}", "Paged")[0] for n in range(2)]
        for tenant in tenants:
            with tenant_scope(tenant.id):
                moments = [1_000] * 7 + [1_001] + [1_002] * 3 + [1_003, 1_004] + [1_005] * 4
                for i, moment in enumerate(moments):
                    monkeypatch.setattr(clock, "now_ms", lambda moment=moment: moment)
                    messages.record_message({"session_id": "s", "from": f"55119123456{i % 4:02d}",
                                             "to": "5511987654321", "direction": "in", "text": f"m{i}",
                                             "external_id": f"e{i}"})
                monkeypatch.setattr(clock, "now_ms", lambda: 2_000)
                for i in range(4):
                    messages.record_status(f"parked{i}", "sent", 1_700_000_000_000)
            archive = GlobalCollection(WebhookArchive)
            for i in range(8):  # ties across a page edge in a second paged collection
                archive.insert_one({"_id": f"{tenant.id}-a{i}", "tenant_id": tenant.id, "received_at": 5 + i // 4})
            for document_class, (key, _lowest) in snapshots.PAGED_BY.items():  # unique keys over pages
                if document_class not in (Message, WebhookArchive):
                    for i in range(7):
                        GlobalCollection(document_class).insert_one(
                            {"_id": f"{tenant.id}-{key}{i}", "tenant_id": tenant.id, key: f"k{i}",
                             "status": ("pending", "completed")[i % 2]})
        manifest = snapshots.take_snapshot(str(tmp_path), "shutdown", keep=3)
    generation = tmp_path / "snapshots" / manifest["generation"]
    with app.app_context():
        for file_name, sources, _restored in snapshots.FILES:
            written = _ids_by_collection(generation, file_name, sources[0][0]._get_collection_name())
            stored = Counter((cls._get_collection_name(), document["_id"])
                             for cls, query in sources for document in GlobalCollection(cls).find(query))
            assert written == stored, file_name
        assert len(list(GlobalCollection(Message).find({}))) == 2 * (len(moments) + 4)


def test_parked_status_filled_during_a_snapshot_is_restored_as_the_message(app, tmp_path, monkeypatch):
    """The parked status is read before the pages, its message arrives, and the pages
    meet it again: the file holds both, and restore keeps the message."""
    original = snapshots._read

    def message_arrives_after_the_parked_statuses_are_read(collection, query, rest_ratio, **options):
        documents = original(collection, query, rest_ratio, **options)
        if collection.name == "messages" and query.get("created_at", "") is None:
            with tenant_scope(tenant.id):
                messages.record_message({"session_id": "s", "from": "5511912345678", "to": "5511987654321",
                                         "direction": "in", "text": "late", "external_id": "parked"})
        return documents
    with app.app_context():
        tenant = _seed(3)
        monkeypatch.setattr(snapshots, "_read", message_arrives_after_the_parked_statuses_are_read)
        manifest = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)
        generation = tmp_path / "snapshots" / manifest["generation"]
        assert manifest["files"]["messages.jsonl.gz"]["records"] == 6  # 3, two parked, "parked" again
        restore.clear_store()
        restore.restore(generation)
        with tenant_scope(tenant.id):
            message = messages.get_by_external_id("parked")
            assert message["text"] == "late" and message["status_times"]["sent"] == 1_700_000_000_000
            assert messages.list_messages({}, 200, None, True)["total"] == 4


def test_corrupt_newest_generation_falls_back_and_is_set_aside(app, tmp_path):
    with app.app_context():
        _seed(5)
        older = snapshots.take_snapshot(str(tmp_path), "manual", keep=5)["generation"]
        newer = snapshots.take_snapshot(str(tmp_path), "manual", keep=5)["generation"]
        target = tmp_path / "snapshots" / newer / "messages.jsonl.gz"
        target.write_bytes(target.read_bytes()[:-20])  # truncated
        restore.clear_store()
        assert restore.restore_on_startup(str(tmp_path)) == older
        assert (tmp_path / "snapshots" / f"{newer}.corrupt").is_dir()
        assert not restore.store_is_empty()
        assert restore.restore_on_startup(str(tmp_path)) is None  # never over a non-empty store


def test_full_disk_keeps_earlier_generations_and_leaves_no_partial(app, tmp_path, monkeypatch):
    with app.app_context():
        _seed(5)
        good = snapshots.take_snapshot(str(tmp_path), "manual", keep=5)["generation"]
        original = snapshot_files.write_records

        def full_disk(directory, name, records):
            if name == "messages.jsonl.gz":
                raise OSError(errno.ENOSPC, "No space left on device")
            return original(directory, name, records)
        monkeypatch.setattr(snapshots, "write_records", full_disk)
        with pytest.raises(snapshots.SnapshotError, match="No space") as failed:
            snapshots.take_snapshot(str(tmp_path), "scheduled", keep=5)
        assert failed.value.disk_full  # told apart from other failures (507, not 500)
        names = sorted(p.name for p in (tmp_path / "snapshots").iterdir() if not p.name.startswith("."))
        assert names == [good] and snapshots.verify(tmp_path / "snapshots" / good) == []


def test_keep_prunes_old_generations(app, tmp_path):
    with app.app_context():
        _seed(2)
        names = [snapshots.take_snapshot(str(tmp_path), "manual", keep=2)["generation"] for _ in range(4)]
        assert [g.name for g in snapshots.generations(str(tmp_path))] == names[::-1][:2]


def test_a_generation_written_after_the_clock_stepped_back_still_sorts_newest(app, tmp_path, monkeypatch):
    """SNAPSHOT_KEEP=1 and the clock stepped back a day: the generation written last is
    the one kept and the one restore takes, with the clock's time as created_at."""
    with app.app_context():
        _seed(2)
        ahead = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)["generation"]
        stepped_back = clock.now_ms() - clock.DAY_MS
        monkeypatch.setattr(clock, "now_ms", lambda: stepped_back)
        GlobalCollection(Message).delete_many({})  # so the later generation differs from the earlier
        behind = snapshots.take_snapshot(str(tmp_path), "manual", keep=1)
    assert behind["generation"] == f"{ahead}-2"
    assert behind["created_at"] == clock.iso(stepped_back)
    assert [g.name for g in snapshots.generations(str(tmp_path))] == [behind["generation"]]
    newest = snapshots.generations(str(tmp_path))[0]
    assert snapshots.verify(newest) == [] and snapshots.read_manifest(newest)["files"]["messages.jsonl.gz"]["records"] == 0


def test_other_entries_in_the_snapshots_directory_do_not_name_generations(app, tmp_path):
    with app.app_context():
        _seed(1)
        (tmp_path / "snapshots" / "lost+found").mkdir(parents=True)
        (tmp_path / "snapshots" / "zz-notes.txt").write_text("kept by an operator")
        name = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)["generation"]
    assert name[:8].isdigit() and "-" not in name


def test_generations_sort_by_time_then_number(tmp_path):
    names = ["20261122T101530.123Z", "20261122T101530.123Z-2", "20261122T101530.123Z-10", "20261121T235959.999Z"]
    for name in names:
        (tmp_path / "snapshots" / name).mkdir(parents=True)
        (tmp_path / "snapshots" / name / "manifest.json").write_text("{}")
    assert [g.name for g in snapshots.generations(str(tmp_path))] == [
        "20261122T101530.123Z-10", "20261122T101530.123Z-2", "20261122T101530.123Z", "20261121T235959.999Z"]


def test_a_scheduled_snapshot_skips_its_turn_while_another_is_written(app, tmp_path):
    """Scheduled ones do not queue behind a running snapshot; manual ones wait for it."""
    import fcntl
    import threading
    with app.app_context():
        _seed(2)
        root = snapshots.snapshots_dir(str(tmp_path))
        root.mkdir(parents=True)
        with open(root / ".lock", "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            with pytest.raises(snapshots.SnapshotBusy):
                snapshots.take_snapshot(str(tmp_path), "scheduled", keep=3)
            assert snapshots.generations(str(tmp_path)) == []
            threading.Timer(0.5, fcntl.flock, (held, fcntl.LOCK_UN)).start()  # the other one ends
            manual = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)
        assert [g.name for g in snapshots.generations(str(tmp_path))] == [manual["generation"]]


def test_a_snapshot_taken_in_a_child_process_is_of_the_asking_apps_store(app, client, admin, tmp_path):
    """POST /admin/snapshots runs `snapshot take` in a child process: it writes into the
    app's DATA_DIR and reads the app's database, whatever the environment says."""
    with app.app_context():
        _seed(4)
    response = client.post("/api/v1/admin/snapshots", headers=admin)
    assert response.status_code == 201, response.get_json()
    manifest = response.get_json()
    assert (tmp_path / "snapshots" / manifest["generation"] / "manifest.json").exists()
    if not app.config["MONGODB_URI"].startswith("mongomock:"):  # no other process sees mongomock's store
        assert manifest["files"]["messages.jsonl.gz"]["records"] == 5  # 4 + one parked status


def test_restore_leaves_out_chat_sessions_past_their_tenant_ttl(app, tmp_path):
    """25 h of inactivity is past the default 24 h TTL but not a 48 h one; the snapshot
    holds every session, restore skips only the expired one."""
    with app.app_context():
        now = clock.now_ms()
        default_ttl = create_tenant("ttl24", "TTL 24 h")[0]
        longer_ttl = update_tenant(create_tenant("ttl48", "TTL 48 h")[0].slug, {"chat_session_ttl_hours": 48})
        for tenant in (default_ttl, longer_ttl):
            with tenant_scope(tenant.id):
                for hours in (23, 25):
                    chat_sessions.put_session(f"55119000000{hours}", {"idle_h": hours}, now - hours * clock.HOUR_MS,
                                              tenant.chat_session_ttl_hours)
        manifest = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)
        assert manifest["files"]["chat_sessions.json"]["records"] == 4
        restore.clear_store()
        counts = restore.restore(tmp_path / "snapshots" / manifest["generation"])
        assert counts["chat_sessions.json"] == {"restored": 3, "skipped": 1}
        restored = {(s["tenant_id"], s["phone"]) for s in GlobalCollection(ChatSession).find({})}
        assert restored == {(default_ttl.id, "5511900000023"), (longer_ttl.id, "5511900000023"),
                            (longer_ttl.id, "5511900000025")}


def test_restore_rebuilds_conversation_summaries_from_the_messages(app, tmp_path):
    """A summary that disagrees with the messages in the snapshot (a write between the
    two files) comes back counting the restored messages."""
    with app.app_context():
        tenant = _seed(5)
        GlobalCollection(Conversation).update_one({"tenant_id": tenant.id},
                                                  {"$set": {"message_count": 99, "inbound_count": 99}})
        generation = tmp_path / "snapshots" / snapshots.take_snapshot(str(tmp_path), "manual", keep=3)["generation"]
        restore.clear_store()
        restore.restore(generation)
        summaries = list(GlobalCollection(Conversation).find({"tenant_id": tenant.id}))
        assert [(s["message_count"], s["inbound_count"]) for s in summaries] == [(5, 5)]


def test_restore_reports_progress_for_every_restored_record(app, tmp_path, monkeypatch):
    monkeypatch.setattr(restore, "BATCH", 4)  # several full batches and a remainder
    with app.app_context():
        _seed(10)
        generation = tmp_path / "snapshots" / snapshots.take_snapshot(str(tmp_path), "manual", keep=3)["generation"]
        restore.clear_store()
        reported = []
        counts = restore.restore(generation, progress=reported.append)
    assert sum(reported) == sum(c["restored"] for c in counts.values()) > 11


def test_human_readable_files(app, tmp_path):
    with app.app_context():
        _seed(2)
        generation = tmp_path / "snapshots" / snapshots.take_snapshot(str(tmp_path), "manual", keep=2)["generation"]
        text = (generation / "chat_sessions.json").read_text()
        assert text.startswith("[") and text.rstrip().endswith("]")
        with gzip.open(generation / "messages.jsonl.gz", "rt") as lines:
            assert "m0 ✅" in lines.read()


def test_each_slot_is_claimed_once(app):
    with app.app_context():
        assert leases.claim_slot("job", 100) is True
        assert leases.claim_slot("job", 100) is False
        assert leases.claim_slot("job", 99) is False
        assert leases.claim_slot("job", 101) is True
        assert leases.hold("replay", 60_000) is True
        assert leases.hold("replay", 60_000) is True  # renewal by the holder


def test_only_generation_shaped_directories_are_restored_or_pruned(app, tmp_path):
    """A stray `zzz/manifest.json` sorts after every generation and `0-copy` before:
    neither is taken for restore, counted against SNAPSHOT_KEEP, or pruned."""
    strays = [tmp_path / "snapshots" / name for name in ("zzz", "0-copy")]
    for stray in strays:
        stray.mkdir(parents=True)
        (stray / "manifest.json").write_text('{"format_version": 1, "files": {}}')
    with app.app_context():
        _seed(2)
        names = [snapshots.take_snapshot(str(tmp_path), "manual", keep=2)["generation"] for _ in range(3)]
        assert [g.name for g in snapshots.generations(str(tmp_path))] == names[::-1][:2]
        assert all((stray / "manifest.json").exists() for stray in strays)
        restore.clear_store()
        assert restore.restore_on_startup(str(tmp_path)) == names[-1]
    assert all(stray.is_dir() for stray in strays)  # not set aside as corrupt either


def _stored(document_classes) -> dict:
    return {cls._get_collection_name(): sorted(map(str, (d["_id"] for d in GlobalCollection(cls).find({}))))
            for cls in document_classes}


@pytest.mark.parametrize("cut_at", [1, 9, 15])  # 15 records: the tenant, 13 messages, the conversation
def test_a_restore_cut_off_midway_is_marked_and_redone_at_the_next_start(app, client, tmp_path, monkeypatch,
                                                                         caplog, cut_at):
    """Cut off at record `cut_at` (one record per batch), the restore leaves its marker:
    /readyz says 503 and why; the next start clears the partial store and ends with
    every record, logged at WARNING with where from and how many."""
    monkeypatch.setattr(restore, "BATCH", 1)
    with app.app_context():
        _seed(12)
        generation = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)["generation"]
        everything = _stored(restore.DOCUMENTS.values())
        restore.clear_store()
        real_insert, inserted = restore._insert, []

        def cut_off(collection_name, batch):
            inserted.append(batch)
            if len(inserted) == cut_at:
                raise OSError("the process was killed here")
            return real_insert(collection_name, batch)
        monkeypatch.setattr(restore, "_insert", cut_off)
        with pytest.raises(OSError):
            restore.restore_on_startup(str(tmp_path))
        marker = restore_marker.unfinished()
        assert marker["generation"] == generation and marker["started_by"].startswith("startup")
    ready = client.get("/readyz")
    assert_problem(ready, 503)
    assert generation in ready.get_json()["detail"] and "restore" in ready.get_json()["type"]

    monkeypatch.setattr(restore, "_insert", real_insert)
    with app.app_context(), caplog.at_level(logging.WARNING, logger=restore.__name__):
        assert restore.restore_on_startup(str(tmp_path)) == generation
        assert restore_marker.unfinished() is None
        assert _stored(restore.DOCUMENTS.values()) == everything
    assert client.get("/readyz").status_code == 200
    said = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "did not finish" in said and str(tmp_path / "snapshots" / generation) in said
    assert "messages.jsonl.gz 13 restored" in said


def test_a_host_starting_while_another_restores_restores_nothing(app, tmp_path):
    """Two hosts started on one empty database, each with generations in its DATA_DIR:
    while one restores (its lease held, its marker written, part of the data in), the
    other must neither take the marker for a cut-off restore (clearing what is being
    written) nor restore beside it. A restart of the restoring service itself, after a
    crash mid-restore, redoes the restore at once."""
    import socket
    with app.app_context():
        _seed(3)
        generation = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)["generation"]
        everything = _stored(restore.DOCUMENTS.values())
        restore.clear_store()
        assert restore.restore_on_startup(str(tmp_path / "empty-data-dir")) is None  # nothing to restore from
        other_host = "other-host:/var/lib/chatkeep"
        assert leases.hold(restore.RESTORE_LEASE, restore.RESTORE_LEASE_MS, other_host)
        assert restore.restore_on_startup(str(tmp_path)) is None  # the other host is still looking
        assert restore.store_is_empty()
        restore_marker.mark_started(tmp_path / "snapshots" / generation, "startup")
        GlobalCollection(Tenant).insert_one({"_id": "restored-so-far", "slug": "so-far", "name": "So far"})
        assert restore.restore_on_startup(str(tmp_path)) is None  # the other host is restoring
        assert _stored([Tenant]) == {"tenants": ["restored-so-far"]}
        leases.release(restore.RESTORE_LEASE, other_host)

        this_service = f"{socket.gethostname()}:{tmp_path}"  # crashed mid-restore: its lease still unexpired
        assert leases.hold(restore.RESTORE_LEASE, restore.RESTORE_LEASE_MS, this_service)
        assert restore.restore_on_startup(str(tmp_path)) == generation
        assert _stored(restore.DOCUMENTS.values()) == everything and restore_marker.unfinished() is None


def test_a_store_holding_any_chatkeep_data_is_not_restored_over(app, tmp_path):
    """No tenants, but messages (or any other tenant-owned document): nothing is restored."""
    with app.app_context():
        _seed(2)
        snapshots.take_snapshot(str(tmp_path), "manual", keep=3)
        for document_class in set(models.TENANT_DOCUMENTS) - set(restore.KEPT_THROUGH_RESTORE):
            restore.clear_store()
            GlobalCollection(document_class).insert_one({"_id": "left-behind", "tenant_id": "gone"})
            assert not restore.store_is_empty()
            assert restore.restore_on_startup(str(tmp_path)) is None, document_class
            assert _stored([Tenant, document_class]) == {"tenants": [],
                                                          document_class._get_collection_name(): ["left-behind"]}
        restore.clear_store()
        assert restore.restore_on_startup(str(tmp_path))  # an empty one is


def test_snapshot_restore_command_redoes_a_cut_off_restore_and_clears_the_marker(app, tmp_path, monkeypatch):
    with app.app_context():
        _seed(3)
        generation = snapshots.take_snapshot(str(tmp_path), "manual", keep=3)["generation"]
        everything = _stored(restore.DOCUMENTS.values())
        monkeypatch.setattr(restore, "restore", lambda *_a, **_k: (_ for _ in ()).throw(OSError("killed")))
        with pytest.raises(OSError):
            restore.restore_marked(tmp_path / "snapshots" / generation, "snapshot restore")
        monkeypatch.undo()
        assert restore_marker.unfinished() is not None and restore.store_is_empty()
    result = app.test_cli_runner().invoke(args=["snapshot", "restore", generation])  # no --replace needed
    assert result.exit_code == 0, result.output
    assert "did not finish" in result.output
    with app.app_context():
        assert restore_marker.unfinished() is None
        assert _stored(restore.DOCUMENTS.values()) == everything
