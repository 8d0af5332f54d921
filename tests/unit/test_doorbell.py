"""The wake-ups a writer sends its host's Kafka publisher (services.events.doorbell) and
webhook engine (services.events.webhook_wake), over services.events.local_wake."""
from models.tenancy import tenant_scope
from services.events import doorbell, local_wake, webhook_wake


def test_a_write_wakes_the_listener_of_its_data_dir_once_per_interval(tmp_path, monkeypatch):
    monkeypatch.setattr(doorbell, "_woke", {})
    local_wake.configure(str(tmp_path / "host-a"))
    listener = doorbell.Listener()
    try:
        with tenant_scope("tenant-1"):
            doorbell.wake(1_000)
            doorbell.wake(1_000 + doorbell.WAKE_MS - 1)  # the publisher watches it meanwhile
        with tenant_scope("tenant-2"):
            doorbell.wake(1_000)
        assert listener.wait(1.0) == {"tenant-1", "tenant-2"}
        assert listener.wait(0.05) == set()
        with tenant_scope("tenant-1"):
            doorbell.wake(1_000 + doorbell.WAKE_MS)
        assert listener.wait(1.0) == {"tenant-1"}

        local_wake.configure(str(tmp_path / "host-b"))  # another service's writers: not this listener's
        with tenant_scope("tenant-3"):
            doorbell.wake(5_000)
        assert listener.wait(0.05) == set()
    finally:
        listener.close()
        local_wake.configure(None)


def test_the_webhook_engine_hears_its_own_kinds_only(tmp_path):
    local_wake.configure(str(tmp_path / "host-a"))
    publisher, engine = doorbell.Listener(), webhook_wake.Listener()
    try:
        webhook_wake.nudge(webhook_wake.ENDPOINTS)
        webhook_wake.nudge()
        assert engine.wait(1.0) == {webhook_wake.ENDPOINTS, webhook_wake.EVENTS}
        assert publisher.wait(0.05) == set()
    finally:
        publisher.close()
        engine.close()
        local_wake.configure(None)


def test_every_write_of_events_nudges_the_webhook_engine(tmp_path, monkeypatch):
    """Whoever wrote them (a request, a spool replay, a sync, a repair), and each time:
    the publisher's interval does not hold the deliverer's nudge back."""
    monkeypatch.setattr(doorbell, "_woke", {})
    local_wake.configure(str(tmp_path / "host-a"))
    engine = webhook_wake.Listener()
    try:
        with tenant_scope("tenant-1"):
            doorbell.wake(1_000)
            assert engine.wait(1.0) == {webhook_wake.EVENTS}
            doorbell.wake(1_001)
            assert engine.wait(1.0) == {webhook_wake.EVENTS}
    finally:
        engine.close()
        local_wake.configure(None)
