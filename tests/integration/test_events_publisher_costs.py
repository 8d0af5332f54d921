"""What the Kafka publisher's idle rounds and a /metrics scrape cost: bounded by the
tenants with work, not by the number of tenants (review F15); and a round that goes on
past one bad tenant. In-process on nx-27017, counting the commands the driver sends;
Kafka is a stand-in that acknowledges every send."""
import time

from models.collections import scoped
from models.event import Event
from models.tenancy import tenant_scope
from services.events import doorbell, event_log, kafka_publisher
from services.messaging import messages
from services.operations.metrics import DB_COMMANDS
from services.tenancy import tenants

TENANTS = 25


class AcceptingProducer:
    """Kafka as the publisher sees it when every send is acknowledged at once."""

    def __len__(self):
        return 0

    def flush(self, _timeout=None):
        return 0

    def produce(self, _topic, key, value, headers, on_delivery):
        on_delivery(None, None)


def _publisher(app, render) -> kafka_publisher.Publisher:
    publisher = kafka_publisher.Publisher({**app.config, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"}, render)
    publisher._get_producer = AcceptingProducer
    return publisher


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
        publisher = _publisher(app, lambda events, slug: [])
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


def test_one_tenant_whose_events_cannot_be_rendered_does_not_stop_the_others(app):
    """A round goes on past a tenant whose batch fails (issue 25, item 11): the other
    tenant's events are still sent."""
    with app.app_context():
        ids = [tenants.create_tenant(f"bad-{n}", "Bad")[0].id for n in range(2)]
        for n, tenant_id in enumerate(ids):
            with tenant_scope(tenant_id):
                _message(n)
        rendered = []

        def render(events, slug, messages=None):
            if slug == "bad-0":
                raise ValueError("an event this renderer cannot show")
            rendered.extend(events)
            return [{"subject": event["subject"]} for event in events]
        publisher = _publisher(app, render)
        publisher.publish(woken=set(ids))
        assert [event["type"] for event in rendered] == ["message.created"]
        with tenant_scope(ids[1]):
            assert scoped(Event).find_one({})["published"] == 1
