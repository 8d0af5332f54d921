"""What the Kafka publisher's idle rounds and a /metrics scrape cost: bounded by the
tenants with work, not by the number of tenants (review F15). In-process on nx-27017,
counting the commands the driver sends; no broker is needed (nothing is sent)."""
import time

from models.collections import scoped
from models.event import Event
from models.tenancy import tenant_scope
from services.events import doorbell, event_log, kafka_publisher
from services.messaging import messages
from services.operations.metrics import DB_COMMANDS
from services.tenancy import tenants

TENANTS = 25


def _commands() -> float:
    return sum(sample.value for metric in DB_COMMANDS.collect() for sample in metric.samples
               if sample.name.endswith("_total"))


def _counted(action) -> float:
    before = _commands()
    action()
    return _commands() - before


def _message(n: int) -> None:
    messages.record_message({"session_id": "s", "from": "5511912345678", "to": f"55119876543{n:02d}",
                             "direction": "in", "text": "oi", "external_id": f"cost-{n}"})


def test_an_idle_round_and_a_metrics_scrape_cost_the_same_whatever_the_number_of_tenants(app, monkeypatch):
    # A tenant is watched for BELL_MS + the settle window after its bell: short here.
    monkeypatch.setattr(doorbell, "BELL_MS", 100)
    monkeypatch.setattr(event_log, "settle_ms", lambda: 100)
    monkeypatch.setattr(kafka_publisher, "BELLS_S", 0)  # the bells read at every round
    with app.app_context():
        ids = [tenants.create_tenant(f"cost-{n}", "Cost")[0].id for n in range(TENANTS)]
        for n, tenant_id in enumerate(ids):  # each with an event Kafka has had (published)
            with tenant_scope(tenant_id):
                _message(n)
                scoped(Event).update_many({}, {"$set": {"published": 1}})
        publisher = kafka_publisher.Publisher({**app.config, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"},
                                              lambda events, slug: [])
        time.sleep(0.3)  # the bells rung while the messages were written have gone quiet
        publisher.publish()  # the takeover's sweep looks at every tenant, once

        # One read of the bells, whatever the number of tenants (it was a read per tenant,
        # and a lease write per tenant).
        assert _counted(publisher.publish) <= 2
        # A scrape reads what the publisher counted: one read (it was two per tenant).
        assert _counted(kafka_publisher.backlog) == 1

        with tenant_scope(ids[3]):  # one tenant writes: the round looks at that tenant only
            _message(99)
            scoped(Event).update_many({}, {"$set": {"published": 1}})
        assert _counted(publisher.publish) <= 6
