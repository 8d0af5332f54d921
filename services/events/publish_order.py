"""Which unpublished events may go out now, each message's in the order of its changes.

Kafka does not wait for the feed's settle window, so a later change's event can be
there before an earlier one's: worker 1 moves a message to `delivered` and stalls before
its event commits, worker 2 moves it to `read` and commits its event. Every change marks
its message in the same write (`events_due.<key>` = the change's time, services.events.
event_log): the message lists its recent changes, and each one's event id follows from
the mark. So an event waits while an earlier change of its message (a mark older than
the event) has no event that is published or goes out before it, unless that mark is
older than the settle window: its event then either committed or never will (the upkeep
makes it, placed after, the known limit of docs/EVENTS.md). Once one event of a subject
waits, the subject's later events in the batch wait too (one Kafka key, one order).
"""
from models.collections import scoped
from models.event import Event
from services import clock
from services.events import event_data, event_log


def ready(events: list[dict], messages: dict[str, dict], known_published=frozenset()) -> list[dict]:
    """The events (oldest first) that may be published now, in their order.
    `known_published`: ids known to be published (not looked up)."""
    since = clock.now_ms() - event_log.settle_ms()
    in_batch = {event["_id"] for event in events}
    waits_for = {event["_id"]: _predecessors(event, messages.get(event.get("ref")), since) for event in events}
    outside = {pid for ids in waits_for.values() for pid in ids if pid not in known_published} - in_batch
    published = {e["_id"] for e in scoped(Event).find_by_ids(sorted(outside)) if e.get("published")} if outside else set()
    published |= {pid for ids in waits_for.values() for pid in ids if pid in known_published}
    going, held, out = set(), set(), []
    for event in events:
        subject = _subject(event, messages)
        if subject in held or not all(pid in going or pid in published for pid in waits_for[event["_id"]]):
            held.add(subject)
            continue
        going.add(event["_id"])
        out.append(event)
    return out


def _predecessors(event: dict, message: dict | None, since: int) -> list[str]:
    """The ids of the events of the earlier, recent changes marked on the event's message."""
    if message is None:
        return []
    return [event_log.event_id("message", message["_id"], key, at)
            for key, at in (message.get("events_due") or {}).items()
            if isinstance(at, int) and since <= at < event["time"]]


def _subject(event: dict, messages: dict[str, dict]) -> str:
    return event_data.subject_of(event, messages.get(event.get("ref")))
