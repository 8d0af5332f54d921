"""Properties of the conversation store at the service level, run on every tier."""
import itertools
import random
import time

from models.message import RANK
from models.tenancy import tenant_scope
from services.errors import NotFound
from services.messaging import conversations, messages
from services.phones import conversation_id_for

BOT, CUSTOMERS = "5511987654321", ["5511912345678", "14155550123", "447700900123", "5521998765432"]
PERMUTED = ["sent", "delivered", "read", "played", "failed", "delivered"]
INBOUND = {"session_id": "s1", "from": CUSTOMERS[0], "to": BOT, "direction": "in", "text": "oi"}


def _end_state(message):
    return (tuple(sorted({"status_rank": message["status_rank"], "error": message.get("error")}.items())),
            tuple(sorted(message["status_times"].items())))


def test_every_permutation_of_statuses_and_the_message_reaches_the_same_end_state(app):
    """Statuses may come before their message, in any order; the end state is the same."""
    events = ["message"] + PERMUTED
    times = {status: 1_700_000_000_000 + i * 1000 for i, status in enumerate(PERMUTED)}
    end_states = set()
    with app.app_context(), tenant_scope("tenant-perm"):
        for n, order in enumerate(itertools.permutations(range(len(events)))):
            if n % 29:  # every 29th of the 5040 orders keeps the test fast on a real server
                continue
            external_id = f"wamid.{n}"
            for i in order:
                if events[i] == "message":
                    messages.record_message({"session_id": "s", "from": BOT, "to": CUSTOMERS[0],
                                             "direction": "out", "text": "x", "external_id": external_id,
                                             "at": 1_699_999_999_000})
                else:
                    status = events[i]
                    messages.record_status(external_id, status, times[status] + i,
                                           "boom" if status == "failed" else None)
            stored = messages.get_by_external_id(external_id)
            end_states.add(_end_state(stored))
        assert conversations.list_conversations(None, 10, None, False)["items"][0]["message_count"] == \
            len(range(0, 5040, 29))
    assert len(end_states) == 1
    (state, _times), = end_states
    assert dict(state)["status_rank"] == RANK["failed"]


def test_parked_status_is_invisible_until_its_message_arrives(app):
    with app.app_context(), tenant_scope("tenant-parked"):
        messages.record_status("wamid.early", "read", 1_700_000_000_500)
        assert messages.list_messages({}, 10, None, True)["total"] == 0
        try:
            messages.get_by_external_id("wamid.early")
            raise AssertionError("a parked status must not look like a message")
        except NotFound:
            pass
        stored, created = messages.record_message({"session_id": "s", "from": BOT, "to": CUSTOMERS[1],
                                                   "direction": "out", "text": "hi", "external_id": "wamid.early",
                                                   "at": 1_700_000_000_000})
        assert created and stored["status_rank"] == RANK["read"]
        assert stored["status_times"] == {"pending": 1_700_000_000_000, "read": 1_700_000_000_500}
        again, created_again = messages.record_message({"session_id": "s", "from": BOT, "to": CUSTOMERS[1],
                                                        "direction": "out", "text": "hi",
                                                        "external_id": "wamid.early"})
        assert not created_again and again["_id"] == stored["_id"]
        assert messages.list_messages({}, 10, None, True)["total"] == 1


def _summaries():
    found = conversations.list_conversations(None, 200, None, False)["items"]
    keys = ("conversation_id", "participants", "session_id", "last_message_id", "last_message_at",
            "message_count", "inbound_count", "outbound_count", "unread_count")
    return sorted(({k: s.get(k) for k in keys} for s in found), key=lambda s: s["conversation_id"])


def test_rebuilt_summaries_equal_incremental_ones(app):
    rng = random.Random(20261122)
    with app.app_context(), tenant_scope("tenant-rebuild"):
        stored = []
        for step in range(160):
            action = rng.random()
            customer = rng.choice(CUSTOMERS)
            if action < 0.6 or not stored:
                direction = rng.choice(["in", "out"])
                ends = (customer, BOT) if direction == "in" else (BOT, customer)
                external = f"e{rng.randrange(120)}" if rng.random() < 0.5 else None  # some duplicates
                message, _ = messages.record_message({
                    "session_id": rng.choice(["s1", "s2"]), "from": ends[0], "to": ends[1],
                    "direction": direction, "text": f"m{step}", "external_id": external})
                stored.append(message["_id"])
            elif action < 0.8:
                messages.update_status(rng.choice(stored), rng.choice(list(RANK)))
            elif action < 0.9:
                conversations.mark_read(messages.get_message(rng.choice(stored))["conversation_id"])
            else:
                try:
                    conversations.delete_conversation(conversation_id_for(customer, BOT))
                except NotFound:  # nothing stored in that pair yet
                    pass
                stored = [m for m in stored if _exists(m)]
        incremental = _summaries()
        assert incremental, "the random mix should leave some conversations"
        conversations.rebuild_summaries()
        assert _summaries() == incremental


def test_a_message_stored_right_after_a_read_mark_stays_unread_through_a_rebuild(app):
    """A read and then a message, in one millisecond: the live count says unread, and
    a rebuild (which compares times with the read mark) must say the same."""
    with app.app_context(), tenant_scope("tenant-read-mark"):
        conversation_id = messages.record_message(INBOUND)[0]["conversation_id"]
        for _ in range(30):
            conversations.mark_read(conversation_id)
            messages.record_message(INBOUND)
            live = conversations.get_conversation(conversation_id)["unread_count"]
            conversations.rebuild_summaries(conversation_id)
            assert (live, conversations.get_conversation(conversation_id)["unread_count"]) == (1, 1)


def test_a_summary_write_after_a_rebuild_counted_its_message_adds_nothing(app, monkeypatch):
    """A writer stalls between storing a message and counting it (two commands on
    MongoDB before 8.0); a duplicate's repair rebuilds the summary meanwhile, counting
    the message. The writer's summary write then comes: it must not count it again."""
    with app.app_context(), tenant_scope("tenant-stalled-writer"):
        conversation_id = messages.record_message(INBOUND)[0]["conversation_id"]
        time.sleep(0.002)
        monkeypatch.setattr(messages, "in_order", lambda insert, *_later: insert.apply())  # stalls before the summary
        message, _ = messages.record_message({**INBOUND, "external_id": "stalled"})
        monkeypatch.undo()
        conversations.rebuild_summaries(conversation_id)  # as the repair job does for a marked conversation
        conversations.record_message(message)  # the writer wakes up
        summary = conversations.get_conversation(conversation_id)
        assert (summary["message_count"], summary["unread_count"]) == (2, 2)
        assert summary["last_message_id"] == message["_id"]


def _exists(message_id):
    try:
        messages.get_message(message_id)
        return True
    except NotFound:
        return False


def test_a_rebuild_does_not_overwrite_what_arrived_while_it_read(app, client, tenant, monkeypatch):
    """Spool replay rebuilds summaries while webhooks still arrive: a read mark and a
    message written between the rebuild's read and its write are kept."""
    from models.tenant import Tenant
    from tests.every_tier.test_api_messages import BOT, CUSTOMER, message

    for n in range(2):
        assert client.post("/api/v1/messages", json=message("in", f"early-{n}"), headers=tenant.headers).status_code == 201
    real_replace, meanwhile = conversations._replace_if_unchanged, []

    def replace_after_live_writes(*args):
        if not meanwhile:
            meanwhile.append(client.post(f"/api/v1/conversations/{BOT}/{CUSTOMER}/read", headers=tenant.headers))
            meanwhile.append(client.post("/api/v1/messages", json=message("in", "late"), headers=tenant.headers))
        return real_replace(*args)

    monkeypatch.setattr(conversations, "_replace_if_unchanged", replace_after_live_writes)
    conversation_id = client.get(f"/api/v1/conversations/{BOT}/{CUSTOMER}",
                                 headers=tenant.headers).get_json()["conversation_id"]
    with app.app_context(), tenant_scope(Tenant.objects(slug=tenant.slug).first().id):
        result = conversations.rebuild_summaries(conversation_id)
    assert [r.status_code for r in meanwhile] == [200, 201] and result["unsettled"] == 0
    summary = client.get(f"/api/v1/conversations/{BOT}/{CUSTOMER}", headers=tenant.headers).get_json()
    assert (summary["message_count"], summary["unread_count"]) == (3, 1)
    assert summary["last_message"]["external_id"] == "late"
