"""The event log kept: retention, snapshots and restore, and republishing."""
from models.collections import GlobalCollection
from models.event import Event
from services import clock
from services.events import repair
from services.operations.upkeep import run_upkeep
from tests.webhook_helpers import BOT, CUSTOMER

MESSAGE = {"session_id": "s1", "from": CUSTOMER, "to": BOT, "direction": "in", "text": "oi"}


def _post(client, tenant, n: int, first: int = 0) -> None:
    for i in range(first, first + n):
        assert client.post("/api/v1/messages", json={**MESSAGE, "external_id": f"k{i}"},
                           headers=tenant.headers).status_code == 201


def _stored(app) -> dict:
    with app.app_context():
        return {e["_id"]: e["published"] for e in GlobalCollection(Event).find({})}


def _publish(app, ids) -> None:
    with app.app_context():
        for event_id in ids:
            GlobalCollection(Event).update_one({"_id": event_id}, {"$set": {"published": 1}})


def test_a_restore_keeps_every_event_and_which_kafka_has_acknowledged(app, client, tenant, frozen_clock):
    _post(client, tenant, 3)
    ids = sorted(_stored(app))
    _publish(app, ids[:1])
    runner = app.test_cli_runner()
    generation = runner.invoke(args=["snapshot", "take"]).output.split(":")[0]
    before = _stored(app)
    assert runner.invoke(args=["snapshot", "restore", generation, "--replace"]).exit_code == 0
    assert _stored(app) == before and sorted(before.values()) == [0, 0, 1]
    frozen_clock.ms += repair.GRACE_MS + 1  # the restored marks: their events are there, none made again
    with app.app_context():
        run_upkeep(app.config)
    assert _stored(app) == before


def test_a_generation_written_before_events_existed_still_verifies_and_restores(app, client, tenant):
    import json

    from services.operations import restore, snapshots
    _post(client, tenant, 2)
    with app.app_context():
        manifest = snapshots.take_snapshot(app.config["DATA_DIR"], "manual", keep=3)
        generation = snapshots.snapshots_dir(app.config["DATA_DIR"]) / manifest["generation"]
        (generation / "events.jsonl.gz").unlink()  # as an older version wrote it
        del manifest["files"]["events.jsonl.gz"]
        (generation / "manifest.json").write_text(json.dumps(manifest))
        assert snapshots.verify(generation) == []
        restore.clear_store()
        assert restore.restore_on_startup(app.config["DATA_DIR"]) == manifest["generation"]
    assert len(client.get("/api/v1/messages", headers=tenant.headers).get_json()["items"]) == 2
    assert _stored(app) == {}


def test_events_older_than_the_retention_go_but_not_while_kafka_still_owes_them(app, client, tenant, frozen_clock):
    _post(client, tenant, 2)
    ids = sorted(_stored(app))
    _publish(app, ids[:1])
    frozen_clock.ms += app.config["EVENTS_RETENTION_DAYS"] * clock.DAY_MS + 1
    app.config["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9"
    with app.app_context():
        run_upkeep(app.config)
    assert list(_stored(app)) == ids[1:]  # the published one went, the unpublished one waits
    app.config["KAFKA_BOOTSTRAP_SERVERS"] = None
    with app.app_context():
        run_upkeep(app.config)
    assert _stored(app) == {}


def test_republish_marks_events_since_a_time_to_be_sent_again(app, client, tenant, frozen_clock):
    _post(client, tenant, 1)
    frozen_clock.ms += 60_000
    since = clock.iso(frozen_clock.ms)
    _post(client, tenant, 1, first=1)
    ids = sorted(_stored(app))
    _publish(app, ids)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["events", "republish", "--since", since, "--tenant", tenant.slug])
    assert result.exit_code == 0 and f"{tenant.slug}: 1 events to publish again" in result.output, result.output
    assert sorted(_stored(app).values()) == [0, 1]
    assert runner.invoke(args=["events", "republish", "--since", "yesterday"]).exit_code != 0
