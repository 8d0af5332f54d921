"""Message search: every word of the query in a message's text or media caption.

A page is read from the index entries (models.message_term) of one query word, the
one with the fewest entries (each word's are counted up to SELECTIVITY_CAP, so that
costs the same however many messages the tenant has), newest first; each entry's
message is read by _id and kept when it is visible, passes the filters and has every
other word. A word that is in no message answers an empty page at once. The cost of
a page grows with the messages that contain the chosen word, never with the others.

A page reads at most SCAN_CAP entries: a query whose lead word is common but whose
other words are rare may answer a short (even empty) page with a `next_cursor`, the
way a search that ran out of time says so; following it goes on where it stopped.
Messages deleted or erased are gone from the messages, and their entries with them
(services.messaging.search_index.forget): they never appear.
"""
from models.collections import scoped
from models.message import Message
from models.message_term import MessageTerm
from services.search_terms import matches, message_words
from services.pagination import InvalidCursor, decode_cursor, encode_cursor

SELECTIVITY_CAP = 100  # entries read per word to choose the lead: beyond it, a word is common
SCAN_CAP = 5000
BATCH_MIN = 50  # index entries read at a time, at least
ORDER = [("created_at", -1), ("message_id", -1)]


def _term_filter(word: str, prefix: bool) -> dict:
    if not prefix:
        return {"term": word}
    # Every term that starts with `word`: [word, word with its last character + 1).
    return {"term": {"$gte": word, "$lt": word[:-1] + chr(ord(word[-1]) + 1)}}


def _created_range(filters: dict, at_most: int | None = None) -> dict:
    """since/until, and a cursor's time, as one range (ms are integers: `< until` is
    `<= until - 1`); an $or for the cursor's tie would make nx-27017 read every entry."""
    created = {} if filters.get("since") is None else {"$gte": filters["since"]}
    until = filters.get("until")
    highs = [b for b in (at_most, None if until is None else until - 1) if b is not None]
    if highs:
        created["$lte"] = min(highs)
    return {"created_at": created} if created else {}


def lead_word(query: list[tuple[str, bool]], created: dict) -> tuple[tuple[str, bool], int]:
    """The query word with the fewest index entries (counted up to SELECTIVITY_CAP) and
    that count; exact words before prefixes, longer before shorter, when tied. A find
    with a limit, not a count: nx-27017 counts by reading every matching entry."""
    if len(query) == 1:
        return query[0], SELECTIVITY_CAP
    counted = []
    for word, prefix in query:
        found = list(scoped(MessageTerm).find({**_term_filter(word, prefix), **created}, limit=SELECTIVITY_CAP,
                                              projection={"_id": 1}))
        counted.append((len(found), prefix, -len(word), (word, prefix)))
        if not found:
            break
    count, _prefix, _length, word = min(counted)
    return word, count


def _cursor_position(cursor: str | None) -> tuple[int, str] | None:
    if not cursor:
        return None
    values = decode_cursor(cursor, 2)
    if not (isinstance(values[0], int) and isinstance(values[1], str)):
        raise InvalidCursor("cursor is not one this service issued")
    return values[0], values[1]


def _keeps(message: dict | None, query, filters: dict) -> bool:
    if message is None or message.get("awaiting_message") != 0:
        return False  # deleted meanwhile, or not visible
    if any(filters.get(k) and message.get(k) != filters[k] for k in ("session_id", "direction")):
        return False
    return matches(message_words(message), query)


def _entries(lead: dict, filters: dict, position, size: int) -> tuple[list, bool]:
    """Up to `size` index entries strictly after `position`, newest first, and whether more may follow."""
    fields = {"message_id": 1, "created_at": 1}

    def read(at_most, extra=None):
        return list(scoped(MessageTerm).find({**lead, **_created_range(filters, at_most), **(extra or {})},
                                             sort=ORDER, limit=size, projection=fields))
    raw = read(position and position[0])
    entries = [e for e in raw if position is None or (e["created_at"], e["message_id"]) < position]
    if raw and not entries:  # a whole batch in position's millisecond: go on within it, then before it
        same_ms = read(position[0], {"created_at": position[0], "message_id": {"$lt": position[1]}})
        if same_ms:
            return same_ms, True  # earlier milliseconds may follow
        entries = read(position[0] - 1)
        return entries, len(entries) == size
    return entries, len(raw) == size


def search(query: list[tuple[str, bool]], filters: dict, limit: int, cursor: str | None) -> dict:
    """A page {items, next_cursor} of the messages with every word of `query`, newest
    first; filters: session_id, direction, since, until (ms)."""
    position = _cursor_position(cursor)
    (word, prefix), count = lead_word(query, _created_range(filters))
    if count == 0:
        return {"items": [], "next_cursor": None}
    lead, size = _term_filter(word, prefix), min(500, max(2 * limit, BATCH_MIN))
    items, seen, examined = [], set(), 0
    while True:
        entries, more = _entries(lead, filters, position, size)
        found = {m["_id"]: m for m in scoped(Message).find_by_ids({e["message_id"] for e in entries})}
        for entry in entries:
            position = (entry["created_at"], entry["message_id"])
            if entry["message_id"] in seen:
                continue  # a prefix's second term in the same message
            seen.add(entry["message_id"])
            if _keeps(found.get(entry["message_id"]), query, filters):
                items.append(found[entry["message_id"]])
                if len(items) == limit:
                    break
        examined += len(entries)
        if len(items) == limit:
            more = more or entries[-1] is not entry or _any_after(lead, filters, position)
            return {"items": items, "next_cursor": encode_cursor(list(position)) if more else None}
        if not more:
            return {"items": items, "next_cursor": None}
        if examined >= SCAN_CAP:  # a short page; the cursor goes on from the last entry read
            return {"items": items, "next_cursor": encode_cursor(list(position))}


def _any_after(lead: dict, filters: dict, position) -> bool:
    return bool(_entries(lead, filters, position, 1)[0])
