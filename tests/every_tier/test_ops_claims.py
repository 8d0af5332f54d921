"""README's operational claims: secret rotation, the spool, `webhooks replay --until`,
PARKED_STATUS_DAYS. Run in-process on every tier."""
import copy
import json
import re
from types import SimpleNamespace

import pytest
from pymongo.errors import AutoReconnect

from services.gateways import spool
from services.operations import scheduler
from services.operations.upkeep import run_upkeep
from tests.conftest import assert_problem
from tests.webhook_helpers import BOT, CUSTOMER, EVO_IN, EVO_OUT, fixture, send, stored

DAY_S = 86_400


def _session_status(client, tenant):
    return client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).get_json()["status"]


# --- rotation --------------------------------------------------------------------------------

def test_rotated_webhook_token_refuses_the_old_one_at_once(client, admin, tenant):
    """The old token was just verified (cached for AUTH_CACHE_S), yet is refused right after rotation."""
    assert send(client, "evolution", tenant, "connection_update_open").status_code == 200
    rotated = client.post(f"/api/v1/admin/tenants/{tenant.slug}/rotate-webhook-token", headers=admin)
    assert rotated.status_code == 200
    new_token = rotated.get_json()["webhook_token"]
    assert new_token.startswith("ck_hook_") and new_token != tenant.webhook_token
    assert_problem(send(client, "evolution", tenant, "connection_update_close"), 401)
    assert _session_status(client, tenant) == "open"  # nothing stored from the refused webhook
    assert send(client, "evolution", tenant, "connection_update_close", token=new_token).status_code == 200
    assert _session_status(client, tenant) == "close"
    assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200  # API key untouched


def test_cli_rotate_key_refuses_the_old_key_at_once(app, client, tenant):
    assert client.get("/api/v1/sessions", headers=tenant.headers).status_code == 200  # now cached
    result = app.test_cli_runner().invoke(args=["tenants", "rotate-key", tenant.slug])
    assert result.exit_code == 0, result.output
    new_key = re.search(r"api_key: (ck_live_\S+)", result.output).group(1)
    assert_problem(client.get("/api/v1/sessions", headers=tenant.headers), 401)
    assert client.get("/api/v1/sessions", headers={"Authorization": f"Bearer {new_key}"}).status_code == 200


# --- the spool -------------------------------------------------------------------------------

@pytest.fixture
def database_down():
    """Webhook storage fails as with an unreachable database; `.up()` brings it back."""
    def unreachable(*_args, **_kwargs):
        raise AutoReconnect("connection refused")

    patch = pytest.MonkeyPatch()
    patch.setattr("blueprints.webhooks.ingest", unreachable)
    yield SimpleNamespace(up=patch.undo)
    patch.undo()


@pytest.fixture
def spool_clock(monkeypatch):
    """The spool's own clock (file names and the age gauge), under the test's control."""
    now = SimpleNamespace(s=1_800_000_000)
    monkeypatch.setattr(spool, "time", SimpleNamespace(time=lambda: now.s, time_ns=lambda: now.s * 10**9))
    return now


def _spooled(name: str) -> str:
    return json.dumps(fixture("evolution", name))  # the body exactly as `send` posts it


def _gauges(client) -> dict:
    text = client.get("/metrics").get_data(as_text=True)
    return {name: float(value) for name, value in re.findall(r"^(chatkeep_spool_\w+) (\S+)$", text, re.M)}


def test_spool_replays_oldest_first(app, client, tenant, database_down):
    """The session ends as the last event left it only if the spool replays in arrival order."""
    for name in ("qrcode_updated", "connection_update_open", "connection_update_close"):
        response = send(client, "evolution", tenant, name)
        assert response.status_code == 200 and response.get_json()["spooled"] == 1, response.get_json()
    assert client.get("/api/v1/sessions/chatkeep-main", headers=tenant.headers).status_code == 404
    database_down.up()
    scheduler.replay_spool(app)
    assert _session_status(client, tenant) == "close"
    assert _gauges(client)["chatkeep_spool_depth"] == 0


def test_two_services_on_one_machine_each_replay_their_own_spool(app, client, tenant, database_down,
                                                                 tmp_path, monkeypatch):
    """Spool files are local to a host and its DATA_DIR: a second service on the same
    machine (another DATA_DIR, the same hostname) whose replay holds its lease (cut off
    by an outage, not released) must not keep this one from replaying its own spool."""
    from services.gateways import ingest
    from services.operations import leases
    for name in ("connection_update_open", "connection_update_close"):
        assert send(client, "evolution", tenant, name).get_json()["spooled"] == 1
    database_down.up()
    other_dir = tmp_path / "other-service"
    (other_dir / "spool").mkdir(parents=True)
    newest = spool.pending(app.config["DATA_DIR"])[-1]  # the other service's spool: the close
    newest.rename(other_dir / "spool" / newest.name)
    with monkeypatch.context() as other_process:  # this app as the other service: its DATA_DIR, its pid
        other_process.setitem(app.config, "DATA_DIR", str(other_dir))
        other_process.setattr(leases, "holder_id", lambda: "this-machine:other-service")

        def outage(*_args):
            raise AutoReconnect("the database dropped mid-replay")
        other_process.setattr(ingest, "store_received", outage)
        scheduler.replay_spool(app)  # takes its lease and keeps it (not released on an outage)
    assert spool.pending(str(other_dir))
    scheduler.replay_spool(app)
    assert _session_status(client, tenant) == "open" and _gauges(client)["chatkeep_spool_depth"] == 0


def test_spool_replay_stops_at_a_failure_and_resumes_in_order(app, client, tenant, database_down, monkeypatch):
    """The database drops again mid-replay: the failed body and the ones after it wait, none skipped."""
    for name in ("qrcode_updated", "connection_update_open", "connection_update_close"):
        assert send(client, "evolution", tenant, name).get_json()["spooled"] == 1
    database_down.up()
    from services.gateways import ingest
    calls = []
    real_store = ingest.store_received

    def fails_on_the_second_call(record, *args):
        calls.append(record)
        if len(calls) == 2:
            raise AutoReconnect("down again")
        return real_store(record, *args)

    monkeypatch.setattr(ingest, "store_received", fails_on_the_second_call)
    scheduler.replay_spool(app)
    assert _session_status(client, tenant) == "connecting" and _gauges(client)["chatkeep_spool_depth"] == 2
    scheduler.replay_spool(app)
    assert _session_status(client, tenant) == "close" and _gauges(client)["chatkeep_spool_depth"] == 0
    assert [c["body"] for c in calls] == [_spooled(n) for n in ("qrcode_updated", "connection_update_open",
                                                                "connection_update_open", "connection_update_close")]


def test_a_spooled_payload_failing_for_another_reason_is_set_aside_and_the_rest_replayed(
        app, client, tenant, database_down, monkeypatch):
    """One payload that fails every time (not an outage) must not hold back those behind it."""
    for name in ("qrcode_updated", "connection_update_open", "connection_update_close"):
        assert send(client, "evolution", tenant, name).get_json()["spooled"] == 1
    database_down.up()
    from services.gateways import ingest
    real_store = ingest.store_received

    def fails_on_open(record, *args):
        if record["body"] == _spooled("connection_update_open"):
            raise OverflowError("a field the parser could not hold")
        return real_store(record, *args)

    monkeypatch.setattr(ingest, "store_received", fails_on_open)
    scheduler.replay_spool(app)
    assert _session_status(client, tenant) == "close"
    assert _gauges(client)["chatkeep_spool_depth"] == 0 and _gauges(client)["chatkeep_spool_set_aside"] == 1
    kept = list((spool.spool_dir(app.config["DATA_DIR"]) / spool.SET_ASIDE).glob("*.json"))
    assert [json.loads(p.read_text())["body"] for p in kept] == [_spooled("connection_update_open")]


def test_spool_replay_stops_when_its_lease_is_lost(app, client, tenant, database_down):
    for name in ("qrcode_updated", "connection_update_open"):
        send(client, "evolution", tenant, name)
    database_down.up()
    looks = iter([True, False])
    with app.app_context():
        from services.gateways.ingest import store_received
        assert spool.replay(app.config["DATA_DIR"], store_received, keep_going=lambda: next(looks)) == 1
    assert _gauges(client)["chatkeep_spool_depth"] == 1


def test_a_long_spool_replay_renews_its_lease_and_stops_once_another_holds_it(app, monkeypatch):
    """README: one process per host replays, renewing its lease as it goes."""
    from services import clock
    from services.operations import leases
    lease_s = scheduler.SPOOL_LEASE_MS / 1000
    now = SimpleNamespace(s=1_800_000_000.0)
    monkeypatch.setattr(scheduler.time, "monotonic", lambda: now.s)
    monkeypatch.setattr(clock, "now_ms", lambda: int(now.s * 1000))
    with app.app_context():
        assert leases.hold("spool:test", scheduler.SPOOL_LEASE_MS)
        keep_going = scheduler._renewing("spool:test")
        now.s += lease_s * 0.9
        assert keep_going()  # renewed: good for another lease_s from now
        now.s += lease_s * 0.5  # past the first lease's end, within the renewed one
        monkeypatch.setattr(leases, "holder_id", lambda: "another-host:1")
        assert not leases.hold("spool:test", scheduler.SPOOL_LEASE_MS)
        now.s += lease_s * 0.4  # renewing as the other process while ours holds: it must stop
        assert not keep_going()


# --- leases at a graceful stop ----------------------------------------------------------------

class _StoppedScheduler:
    def shutdown(self, wait=True):
        pass


@pytest.fixture
def lease_state(monkeypatch):
    """This process's lease bookkeeping, fresh, and as it was after the test (a stop is final)."""
    from services.operations import leases
    for name, value in (("_held", set()), ("_working", set()), ("_locks", {}), ("_stopping", False)):
        monkeypatch.setattr(leases, name, value)


def _another_process(monkeypatch):
    from services.operations import leases
    monkeypatch.setattr(leases, "holder_id", lambda: "another-host:1")
    monkeypatch.setattr(leases, "_stopping", False)


def test_a_worker_stopping_gracefully_hands_its_held_leases_back(app, monkeypatch, lease_state):
    """A rolling restart must not leave erasures waiting for the stopped holder's lease
    to lapse (a minute): the next tick of another process takes it."""
    from services.operations import leases
    scheduler.erasures(app)  # this worker now holds the erasures lease, and keeps it between ticks
    with app.app_context(), monkeypatch.context() as other:
        _another_process(other)
        assert not leases.hold("erasures", 60_000)
    scheduler.stop(_StoppedScheduler(), app)
    with app.app_context(), monkeypatch.context() as other:
        _another_process(other)
        assert leases.hold("erasures", 60_000)


def test_a_lease_whose_job_is_still_at_work_is_not_handed_back(app, monkeypatch, lease_state):
    """A job at work under its lease when the worker stops keeps it (it lapses later, as
    after a crash): handing it back would let another process work beside it."""
    import threading
    from services.operations import leases
    at_work, finish = threading.Event(), threading.Event()

    def job():
        with app.app_context(), leases.working("erasures"):
            assert leases.hold("erasures", 60_000)
            at_work.set()
            finish.wait(10)

    worker = threading.Thread(target=job)
    worker.start()
    try:
        assert at_work.wait(10)
        with app.app_context():
            assert leases.hand_back(wait_s=0.2) == []
            with monkeypatch.context() as other:
                _another_process(other)
                assert not leases.hold("erasures", 60_000)
    finally:
        finish.set()
        worker.join(10)


@pytest.mark.parametrize("lane_posting", [False, True])
def test_the_webhook_lease_goes_back_only_once_no_lane_is_posting(app, monkeypatch, lease_state, lane_posting):
    """Lanes run in their own pool beyond the job's run: handing the lease back while one
    still posts would let another process deliver beside it (twice to one endpoint)."""
    from services.operations import leases
    with app.app_context(), leases.working("webhook-deliveries"):
        assert leases.hold("webhook-deliveries", 30_000)
    monkeypatch.setattr(scheduler, "_engine", SimpleNamespace(deliverer=SimpleNamespace(
        wait_idle=lambda _timeout_s: not lane_posting)))
    scheduler.stop(_StoppedScheduler(), app)
    with app.app_context(), monkeypatch.context() as other:
        _another_process(other)
        assert leases.hold("webhook-deliveries", 30_000) is not lane_posting


def test_spool_oldest_age_gauge_reports_the_oldest_payload(app, client, tenant, database_down, spool_clock):
    assert _gauges(client) == {"chatkeep_spool_depth": 0, "chatkeep_spool_oldest_age_seconds": 0,
                               "chatkeep_spool_set_aside": 0}
    send(client, "evolution", tenant, "connection_update_open")
    spool_clock.s += 200
    send(client, "evolution", tenant, "connection_update_close")
    spool_clock.s += 100
    gauges = _gauges(client)
    assert gauges["chatkeep_spool_depth"] == 2
    assert gauges["chatkeep_spool_oldest_age_seconds"] == pytest.approx(300, abs=0.01)
    database_down.up()
    scheduler.replay_spool(app)
    assert _gauges(client) == {"chatkeep_spool_depth": 0, "chatkeep_spool_oldest_age_seconds": 0,
                               "chatkeep_spool_set_aside": 0}


# --- webhooks replay --until -----------------------------------------------------------------

def _inbound(external_id: str) -> dict:
    body = copy.deepcopy(fixture("evolution", "messages_upsert_text_inbound"))
    body["data"]["key"]["id"] = external_id
    return body


def test_replay_takes_bodies_from_since_up_to_but_not_including_until(app, client, tenant, frozen_clock):
    app.config["WEBHOOK_ARCHIVE_DAYS"] = 7
    for hour, external_id in ((10, "before"), (11, "inside"), (12, "at-until")):
        frozen_clock.set(f"2026-11-22T{hour}:00:00Z")
        assert send(client, "evolution", tenant, _inbound(external_id)).get_json()["accepted"] == 1
    assert client.delete(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers).status_code == 204
    result = app.test_cli_runner().invoke(args=["webhooks", "replay", "--tenant", tenant.slug,
                                                "--since", "2026-11-22T11:00:00Z", "--until", "2026-11-22T12:00:00Z"])
    assert result.exit_code == 0, result.output
    assert "1 bodies replayed: 1 accepted" in result.output
    assert stored(client, tenant, "inside").status_code == 200
    assert stored(client, tenant, "before").status_code == 404
    assert stored(client, tenant, "at-until").status_code == 404


# --- PARKED_STATUS_DAYS ----------------------------------------------------------------------

def _park_then_wait(app, client, tenant, frozen_clock, waited: str) -> dict:
    """A READ status arrives before its message; upkeep runs `waited` later; then the message."""
    app.config["PARKED_STATUS_DAYS"] = 3
    frozen_clock.set("2026-11-20T10:00:00Z")
    assert send(client, "evolution", tenant, "messages_upsert_text_inbound").status_code == 200  # a real message
    assert send(client, "evolution", tenant, "messages_update_read").get_json()["accepted"] == 1
    assert stored(client, tenant, EVO_OUT).status_code == 404  # parked, invisible
    frozen_clock.set(waited)
    with app.app_context():
        removed = run_upkeep(app.config)
    assert send(client, "evolution", tenant, "send_message_outbound").get_json()["accepted"] == 1
    assert stored(client, tenant, EVO_IN).status_code == 200  # old real messages stay
    return {"removed": removed["parked_statuses"], "status": stored(client, tenant, EVO_OUT).get_json()["status"]}


def test_parked_status_waits_parked_status_days_for_its_message(app, client, tenant, frozen_clock):
    outcome = _park_then_wait(app, client, tenant, frozen_clock, "2026-11-23T09:00:00Z")  # 3 days less 1 h
    assert outcome == {"removed": 0, "status": "read"}


def test_parked_status_is_dropped_after_parked_status_days(app, client, tenant, frozen_clock):
    outcome = _park_then_wait(app, client, tenant, frozen_clock, "2026-11-23T11:00:00Z")  # 3 days and 1 h
    assert outcome == {"removed": 1, "status": "pending"}
